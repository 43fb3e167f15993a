# Operations: everything that should wake someone up goes to one SNS topic (e-mail from
# alert_email). See the runbook in docs/deploy.md.
#   - the streaming job run ends FAILED (retry policy exhausted) or CANCELLED (EventBridge);
#   - a scheduled producer invocation fails (Lambda on-failure destination -> EventBridge);
#   - the stream is stale: no micro-batch published its metrics for freshness_alarm_minutes.

locals {
  metrics_namespace     = "TalentPulse/Stream"
  default_event_bus_arn = "arn:${local.partition}:events:${var.region}:${local.account_id}:event-bus/default"
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-alerts"
  kms_master_key_id = aws_kms_key.platform.arn
}

resource "aws_sns_topic_subscription" "alert_email" {
  count = var.alert_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

data "aws_iam_policy_document" "alerts_topic" {
  statement {
    sid       = "RulesAndAlarmsOfThisDeploymentPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values = [
        "arn:${local.partition}:events:${var.region}:${local.account_id}:rule/${var.name}-*",
        "arn:${local.partition}:cloudwatch:${var.region}:${local.account_id}:alarm:${var.name}-*",
      ]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.alerts_topic.json
}

locals {
  alert_rules = {
    job-run-ended = {
      description = "The streaming job run ended FAILED or CANCELLED"
      pattern = {
        source        = ["aws.emr-serverless"]
        "detail-type" = ["EMR Serverless Job Run State Change"]
        detail = {
          applicationId = [aws_emrserverless_application.stream.id]
          state         = ["FAILED", "CANCELLED"]
        }
      }
      paths = {
        run      = "$.detail.jobRunId"
        name     = "$.detail.jobRunName"
        state    = "$.detail.state"
        previous = "$.detail.previousState"
      }
      template = "\"${var.name}: streaming job run <run> (<name>) is <state> (was <previous>). Runbook: docs/deploy.md#runbook\""
    }
    producer-failed = {
      description = "A scheduled producer invocation failed"
      pattern = {
        source        = ["lambda"]
        "detail-type" = ["Lambda Function Invocation Result - Failure"]
        resources     = [{ prefix = local.producer_arn }]
      }
      paths = {
        condition = "$.detail.requestContext.condition"
        error     = "$.detail.responsePayload.errorMessage"
      }
      template = "\"${var.name}: the producer Lambda failed (<condition>): <error>. Runbook: docs/deploy.md#runbook\""
    }
  }
}

resource "aws_cloudwatch_event_rule" "alerts" {
  for_each = local.alert_rules

  name          = "${var.name}-${each.key}"
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
}

resource "aws_cloudwatch_event_target" "alerts" {
  for_each = local.alert_rules

  rule = aws_cloudwatch_event_rule.alerts[each.key].name
  arn  = aws_sns_topic.alerts.arn

  input_transformer {
    input_paths    = each.value.paths
    input_template = each.value.template
  }
}

resource "aws_lambda_function_event_invoke_config" "producer" {
  count = local.producer_count

  function_name                = aws_lambda_function.producer[0].function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60

  destination_config {
    on_failure {
      destination = local.default_event_bus_arn
    }
  }
}

# The job publishes one `Batches` datum per micro-batch (talent_pulse/stream/metrics.py); no
# datum for freshness_alarm_minutes means the stream is stopped, stuck or failing every batch.
resource "aws_cloudwatch_metric_alarm" "stream_stale" {
  alarm_name          = "${var.name}-stream-stale"
  alarm_description   = "No micro-batch of the streaming job for ${var.freshness_alarm_minutes} minutes. Runbook: docs/deploy.md#runbook"
  namespace           = local.metrics_namespace
  metric_name         = "Batches"
  dimensions          = { Deployment = var.name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = var.freshness_alarm_minutes
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
}
