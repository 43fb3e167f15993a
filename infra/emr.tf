# EMR Serverless runs the streaming job (Spark 4.0.2 on emr-spark-8.0.0) inside the VPC.
# Terraform creates the application only; `pulse deploy start-stream` starts the STREAMING job
# run from the `stream_job` output, and `pulse deploy stop-stream` cancels it.

resource "aws_emrserverless_application" "stream" {
  name          = var.name
  release_label = var.emr_release_label
  type          = "spark"
  architecture  = "X86_64"

  dynamic "initial_capacity" {
    for_each = { for type, count in {
      Driver   = var.emr_initial_capacity.driver_count
      Executor = var.emr_initial_capacity.executor_count
    } : type => count if count > 0 }

    content {
      initial_capacity_type = initial_capacity.key
      initial_capacity_config {
        worker_count = initial_capacity.value
        worker_configuration {
          cpu    = var.emr_initial_capacity.worker_cpu
          memory = var.emr_initial_capacity.worker_memory
          disk   = var.emr_initial_capacity.worker_disk
        }
      }
    }
  }

  maximum_capacity {
    cpu    = var.emr_maximum_capacity.cpu
    memory = var.emr_maximum_capacity.memory
    disk   = var.emr_maximum_capacity.disk
  }

  auto_start_configuration {
    enabled = true
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = var.emr_idle_timeout_minutes
  }

  network_configuration {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.this["emr"].id]
  }
}

locals {
  # Settings of the streaming job, by talent_pulse/settings.py's names.
  stream_job_env = merge(local.common_env, {
    PULSE_KAFKA_BOOTSTRAP           = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
    PULSE_REDIS_URL                 = local.redis_url
    PULSE_REDIS_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.redis_auth.arn
    PULSE_CHECKPOINT_URI            = local.checkpoint_uri
    AWS_REGION                      = var.region
  })

  # Everything `pulse deploy start-stream` passes to emr-serverless StartJobRun.
  stream_job = {
    application_id     = aws_emrserverless_application.stream.id
    execution_role_arn = aws_iam_role.emr_job.arn
    name               = "${var.name}-streaming-job"
    entry_point        = "s3://${local.data_bucket}/${local.artifacts_key}/streaming_job.py"
    py_files           = ["s3://${local.data_bucket}/${local.artifacts_key}/talent_pulse.zip"]
    jars               = concat([local.emr_iceberg_jar], [for key in sort(keys(local.jar_files)) : "s3://${local.data_bucket}/${key}"])
    environment        = local.stream_job_env
    log_group          = aws_cloudwatch_log_group.this["emr"].name
    checkpoint_uri     = local.checkpoint_uri
    region             = var.region
  }
}
