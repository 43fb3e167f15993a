# Maintenance of the lake's Iceberg tables on a schedule: EventBridge Scheduler starts an EMR
# Serverless batch job run (glue_or_emr_jobs/lake_job.py maintain, the code behind
# `pulse lake maintain`) on the streaming job's application. It bin-packs each day's files per
# location, expires snapshots (keeping at least two), removes orphan files and deletes
# quarantined records past var.quarantine_expiration_days. Glue's optimistic locking lets it
# commit while the stream commits (the local SQLite catalog cannot: see docs/lakehouse.md).

locals {
  # EMR ships Iceberg (with its AWS bundle); the job runs never carry a second copy.
  emr_iceberg_jar = "/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar"
  lake_job_key    = "${local.artifacts_key}/lake_job.py"

  lake_job_env = merge(local.common_env, {
    AWS_REGION                           = var.region
    PULSE_LAKE_TARGET_FILE_MB            = tostring(var.lake_target_file_mb)
    PULSE_LAKE_QUARANTINE_RETENTION_DAYS = tostring(var.quarantine_expiration_days)
  })

  lake_job_submit_parameters = join(" ", concat(
    ["--jars ${local.emr_iceberg_jar}", "--py-files s3://${local.data_bucket}/${local.artifacts_key}/talent_pulse.zip"],
    [for name, value in local.lake_job_env : "--conf spark.emr-serverless.driverEnv.${name}=${value}"],
    [for name, value in local.lake_job_env : "--conf spark.executorEnv.${name}=${value}"],
  ))
}

resource "aws_s3_object" "lake_job" {
  bucket      = aws_s3_bucket.this["data"].id
  key         = local.lake_job_key
  source      = "${local.repo_root}/glue_or_emr_jobs/lake_job.py"
  source_hash = filemd5("${local.repo_root}/glue_or_emr_jobs/lake_job.py")
}

resource "aws_scheduler_schedule" "lake_maintenance" {
  name                = "${var.name}-lake-maintenance"
  description         = "Compacts, expires snapshots and removes orphan files of the lake's Iceberg tables"
  schedule_expression = var.lake_maintenance_schedule
  kms_key_arn         = aws_kms_key.platform.arn

  flexible_time_window {
    mode                      = "FLEXIBLE"
    maximum_window_in_minutes = 15
  }

  target {
    arn      = "arn:${local.partition}:scheduler:::aws-sdk:emrserverless:startJobRun"
    role_arn = aws_iam_role.scheduler.arn
    input = jsonencode({
      ApplicationId    = aws_emrserverless_application.stream.id
      ExecutionRoleArn = aws_iam_role.emr_job.arn
      Name             = "${var.name}-lake-maintenance"
      ClientToken      = "<aws.scheduler.execution-id>"
      JobDriver = {
        SparkSubmit = {
          EntryPoint            = "s3://${local.data_bucket}/${local.lake_job_key}"
          EntryPointArguments   = ["maintain"]
          SparkSubmitParameters = local.lake_job_submit_parameters
        }
      }
      ConfigurationOverrides = {
        MonitoringConfiguration = {
          CloudWatchLoggingConfiguration = {
            Enabled             = true
            LogGroupName        = aws_cloudwatch_log_group.this["emr"].name
            LogStreamNamePrefix = "lake-maintenance"
          }
        }
      }
    })

    retry_policy {
      maximum_retry_attempts       = 0
      maximum_event_age_in_seconds = 3600
    }
  }
}
