# Every log group of the platform: retention from log_retention_days, encrypted with the platform key.

locals {
  log_groups = merge({
    msk       = "/aws/msk/${var.name}"
    emr       = "/aws/emr-serverless/${var.name}"
    producer  = "/aws/lambda/${var.name}-producer"
    dashboard = "/ecs/${var.name}-dashboard"
    redis     = "/aws/elasticache/${var.name}"
    # WAF only logs to groups named aws-waf-logs-*.
  }, var.waf_enabled ? { waf = "aws-waf-logs-${var.name}" } : {})
}

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_338: retention is the log_retention_days variable (30 days by default, for cost); set 365 or more where compliance requires.
  for_each = local.log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.platform.arn
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  # checkov:skip=CKV_AWS_338: retention is the log_retention_days variable (30 days by default, for cost); set 365 or more where compliance requires.
  count = var.flow_logs_enabled ? 1 : 0

  name              = "/aws/vpc/${var.name}-flow-logs"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.platform.arn
}
