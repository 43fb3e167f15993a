# EMR Serverless runs the streaming job (Spark 4.0.2 on emr-spark-8.0.0) inside the VPC, on the
# custom runtime image of glue_or_emr_jobs/image (Python packages + jars; `make image`).
# Terraform creates the application only; `pulse deploy start-stream` starts the STREAMING job
# run from the `stream_job` output, and `pulse deploy stop-stream` cancels it.

locals {
  # Every worker, driver or executor, has the emr_worker size. Spark asks EMR Serverless for
  # cores = vcpu and memory + overhead (max(384 MB, 10 %)) <= memory_gb, so each job worker
  # fits a pre-initialised one exactly.
  worker_memory_mb = var.emr_worker.memory_gb * 1024
  spark_memory_mb  = local.worker_memory_mb >= 4224 ? floor(local.worker_memory_mb / 1.1) : local.worker_memory_mb - 384
  spark_sizes = {
    "spark.driver.cores"                          = tostring(var.emr_worker.vcpu)
    "spark.driver.memory"                         = "${local.spark_memory_mb}m"
    "spark.emr-serverless.driver.disk"            = "${var.emr_worker.disk_gb}g"
    "spark.executor.cores"                        = tostring(var.emr_worker.vcpu)
    "spark.executor.memory"                       = "${local.spark_memory_mb}m"
    "spark.emr-serverless.executor.disk"          = "${var.emr_worker.disk_gb}g"
    "spark.dynamicAllocation.enabled"             = "true"
    "spark.dynamicAllocation.minExecutors"        = tostring(var.emr_executors.initial)
    "spark.dynamicAllocation.initialExecutors"    = tostring(var.emr_executors.initial)
    "spark.dynamicAllocation.maxExecutors"        = tostring(var.emr_executors.max)
    "spark.dynamicAllocation.executorIdleTimeout" = "300s"
  }
  # Driver + executors at their most; EMR refuses to start workers beyond this.
  emr_max_workers = 1 + var.emr_executors.max

  job_image_uri = "${aws_ecr_repository.this["job_runtime"].repository_url}:${var.job_image_tag}"
}

resource "aws_emrserverless_application" "stream" {
  name          = var.name
  release_label = var.emr_release_label
  type          = "spark"
  architecture  = "X86_64"

  image_configuration {
    image_uri = local.job_image_uri
  }

  dynamic "initial_capacity" {
    for_each = var.emr_prewarm ? { Driver = 1, Executor = var.emr_executors.initial } : {}

    content {
      initial_capacity_type = initial_capacity.key
      initial_capacity_config {
        worker_count = initial_capacity.value
        worker_configuration {
          cpu    = "${var.emr_worker.vcpu} vCPU"
          memory = "${var.emr_worker.memory_gb} GB"
          disk   = "${var.emr_worker.disk_gb} GB"
        }
      }
    }
  }

  maximum_capacity {
    cpu    = "${local.emr_max_workers * var.emr_worker.vcpu} vCPU"
    memory = "${local.emr_max_workers * var.emr_worker.memory_gb} GB"
    disk   = "${local.emr_max_workers * var.emr_worker.disk_gb} GB"
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
    security_group_ids = [aws_security_group.emr.id]
  }

  # EMR Serverless checks at create/update time that it may pull the image.
  depends_on = [aws_ecr_repository_policy.job_runtime]
}

locals {
  # Settings of the streaming job, by talent_pulse/settings.py's names.
  stream_job_env = merge(local.common_env, {
    PULSE_KAFKA_BOOTSTRAP           = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
    PULSE_REDIS_URL                 = local.redis_urls["writer"]
    PULSE_REDIS_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.redis_auth["writer"].arn
    PULSE_CHECKPOINT_URI            = local.checkpoint_uri
    PULSE_METRICS_NAMESPACE         = local.metrics_namespace
    PULSE_METRICS_DIMENSIONS        = "Deployment=${var.name}"
    AWS_REGION                      = var.region
  })

  # Everything `pulse deploy start-stream` passes to emr-serverless StartJobRun. The jars and
  # Python packages are in the application's image, not in the job run.
  stream_job = {
    application_id     = aws_emrserverless_application.stream.id
    execution_role_arn = aws_iam_role.emr_job.arn
    name               = "${var.name}-streaming-job"
    entry_point        = "s3://${local.data_bucket}/${local.artifacts_key}/streaming_job.py"
    py_files           = ["s3://${local.data_bucket}/${local.artifacts_key}/talent_pulse.zip"]
    image_uri          = local.job_image_uri
    spark_conf         = local.spark_sizes
    environment        = local.stream_job_env
    log_group          = aws_cloudwatch_log_group.this["emr"].name
    checkpoint_uri     = local.checkpoint_uri
    region             = var.region
  }
}
