# Optional AWS WAF in front of the dashboard (waf_enabled, on by default): AWS managed rule
# groups for common web exploits, known bad inputs (Log4j among them) and IPs with a bad
# reputation. Only blocked requests are logged.

locals {
  waf_managed_rule_groups = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"]
}

resource "aws_wafv2_web_acl" "dashboard" {
  count = var.waf_enabled ? 1 : 0

  name        = "${var.name}-dashboard"
  description = "AWS managed rules in front of the ${var.name} dashboard"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  dynamic "rule" {
    for_each = local.waf_managed_rule_groups
    content {
      name     = rule.value
      priority = rule.key + 1

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.value
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-${rule.value}"
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
