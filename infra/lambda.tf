# The producer: a Lambda in the private subnets publishing to MSK with IAM auth, invoked by
# EventBridge Scheduler with {"postings": N}. Left out when build/lambda-producer.zip is
# missing and allow_missing_artifacts is set (offline checks only).

locals {
  producer_count = local.lambda_zip_present ? 1 : 0
}

resource "aws_lambda_function" "producer" {
  # checkov:skip=CKV_AWS_116: failed asynchronous invocations go to an on-failure destination instead of a DLQ (the default event bus; alarms.tf alerts on them).
  # checkov:skip=CKV_AWS_272: code signing needs an AWS Signer profile in the build; the zip comes from this repository's `make package-lambda`.
  count = local.producer_count

  function_name = "${var.name}-producer"
  description   = "Publishes synthetic job postings (event v1) to the ${var.postings_topic} topic"
  role          = aws_iam_role.producer.arn
  runtime       = "python3.11"
  handler       = "lambdas/producer/handler.handler"
  s3_bucket     = aws_s3_object.lambda_zip[0].bucket
  s3_key        = aws_s3_object.lambda_zip[0].key
  # Redeploy whenever the zip's content changes.
  source_code_hash = filebase64sha256(local.lambda_zip_path)

  kms_key_arn = aws_kms_key.platform.arn
  memory_size = var.lambda_memory_mb
  timeout     = var.lambda_timeout_seconds
  # Bounds concurrent MSK connections and cost if invocations pile up.
  reserved_concurrent_executions = 2

  vpc_config {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.this["producer"].id]
  }

  environment {
    variables = {
      PULSE_KAFKA_BOOTSTRAP = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
      PULSE_KAFKA_AUTH      = "iam"
      PULSE_POSTINGS_TOPIC  = var.postings_topic
    }
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this["producer"].name
  }

  depends_on = [aws_iam_role_policy.producer]
}

resource "aws_scheduler_schedule" "producer" {
  count = local.producer_count

  name                = "${var.name}-producer"
  description         = "Invokes the producer: ${var.postings_per_invocation} postings ${var.producer_schedule_rate}"
  schedule_expression = var.producer_schedule_rate
  state               = var.producer_enabled ? "ENABLED" : "DISABLED"
  kms_key_arn         = aws_kms_key.platform.arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.producer[0].arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ postings = var.postings_per_invocation })

    retry_policy {
      maximum_retry_attempts       = 0
      maximum_event_age_in_seconds = 60
    }
  }
}
