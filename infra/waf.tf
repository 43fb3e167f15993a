# Optional AWS WAF in front of the dashboard (waf_enabled, on by default): AWS managed rule
# groups for common web exploits, known bad inputs (Log4j among them), IPs with a bad
# reputation and anonymisers. Only blocked requests are logged.

resource "aws_wafv2_web_acl" "dashboard" {
  count = var.waf_enabled ? 1 : 0

  name        = "${var.name}-dashboard"
  description = "AWS managed rules in front of the ${var.name} dashboard"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  dynamic "rule" {
    # A literal list, so that checkov sees the rule groups in the rendered ACL.
    for_each = [
      { name = "AWSManagedRulesCommonRuleSet", count_only = [] },
      { name = "AWSManagedRulesKnownBadInputsRuleSet", count_only = [] },
      { name = "AWSManagedRulesAmazonIpReputationList", count_only = [] },
      # Anonymisers are blocked; cloud hosting addresses are only counted, since office VPNs
      # often leave from there.
      { name = "AWSManagedRulesAnonymousIpList", count_only = ["HostingProviderIPList"] },
    ]
    content {
      name     = rule.value.name
      priority = rule.key + 1

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.value.name

          dynamic "rule_action_override" {
            for_each = rule.value.count_only
            content {
              name = rule_action_override.value
              action_to_use {
                count {}
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-${rule.value.name}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-dashboard"
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "dashboard" {
  count = var.waf_enabled ? 1 : 0

  resource_arn = aws_lb.dashboard.arn
  web_acl_arn  = aws_wafv2_web_acl.dashboard[0].arn
}

resource "aws_wafv2_web_acl_logging_configuration" "dashboard" {
  count = var.waf_enabled ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.dashboard[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.this["waf"].arn]

  logging_filter {
    default_behavior = "DROP"
    filter {
      behavior    = "KEEP"
      requirement = "MEETS_ANY"
      condition {
        action_condition {
          action = "BLOCK"
        }
      }
    }
  }
}
