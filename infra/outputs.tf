output "msk_bootstrap_brokers_iam" {
  description = "MSK bootstrap brokers for IAM auth over TLS (port 9098): the value of PULSE_KAFKA_BOOTSTRAP."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
}

output "msk_cluster_arn" {
  description = "ARN of the MSK cluster."
  value       = aws_msk_cluster.this.arn
}

output "postings_topic" {
  description = "Name of the postings topic."
  value       = var.postings_topic
}

output "redis_endpoint" {
  description = "Primary endpoint of the serving layer (TLS + AUTH): the host of PULSE_REDIS_URL."
  value       = aws_elasticache_replication_group.serving.primary_endpoint_address
}

output "redis_urls" {
  description = "PULSE_REDIS_URL per RBAC user: writer (the streaming job) and reader (the dashboard)."
  value       = local.redis_urls
}

output "redis_auth_secret_arns" {
  description = "Secrets Manager secrets holding each RBAC user's password (PULSE_REDIS_PASSWORD_SECRET_ARN)."
  value       = { for role, secret in aws_secretsmanager_secret.redis_auth : role => secret.arn }
}

output "data_bucket" {
  description = "Bucket of the lake, the checkpoints and the job artifacts."
  value       = aws_s3_bucket.this["data"].bucket
}

output "lake_uri" {
  description = "PULSE_LAKE_URI: the Iceberg warehouse; the tables live in <lake_uri>/<glue_database>/."
  value       = local.lake_uri
}

output "athena_results_bucket" {
  description = "Bucket of the Athena query results."
  value       = aws_s3_bucket.this["results"].bucket
}

output "glue_database" {
  description = "Glue database of the postings and quarantine Iceberg tables (PULSE_GLUE_DATABASE)."
  value       = aws_glue_catalog_database.lake.name
}

output "athena_workgroup" {
  description = "Athena workgroup for history queries (PULSE_ATHENA_WORKGROUP)."
  value       = aws_athena_workgroup.history.name
}

output "dashboard_url" {
  description = "URL of the dashboard (reachable from dashboard_allowed_cidrs only)."
  value       = "${local.https_enabled ? "https" : "http"}://${aws_lb.dashboard.dns_name}"
}

output "dashboard_ecr_repository_url" {
  description = "ECR repository the dashboard image is pushed to."
  value       = aws_ecr_repository.this["dashboard"].repository_url
}

output "job_runtime_ecr_repository_url" {
  description = "ECR repository of the streaming job's runtime image (`make image` pushes to it)."
  value       = aws_ecr_repository.this["job_runtime"].repository_url
}

output "ecs_cluster" {
  description = "ECS cluster of the dashboard service."
  value       = aws_ecs_cluster.this.name
}

output "dashboard_service" {
  description = "ECS service of the dashboard."
  value       = aws_ecs_service.dashboard.name
}

output "emr_application_id" {
  description = "EMR Serverless application that runs the streaming job."
  value       = aws_emrserverless_application.stream.id
}

output "stream_job" {
  description = "Everything `pulse deploy start-stream` needs to start the STREAMING job run."
  value       = local.stream_job
}

output "start_stream_command" {
  description = "Starts the streaming job (Terraform never starts job runs)."
  value       = "pulse deploy start-stream --infra-dir ${abspath(path.module)}"
}

output "producer_function" {
  description = "Name of the Lambda producer (null when its zip was not built)."
  value       = one(aws_lambda_function.producer[*].function_name)
}
