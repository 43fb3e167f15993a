locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  azs        = slice(data.aws_availability_zones.available.names, 0, var.az_count)

  # The table definitions live in the Python package (one source of truth); the job creates the
  # Iceberg tables from them and module.lake_tables derives their locations.
  repo_root = abspath("${path.module}/..")

  data_bucket    = "${var.name}-data-${local.account_id}-${var.region}"
  results_bucket = "${var.name}-athena-results-${local.account_id}-${var.region}"
  lake_uri       = "s3://${local.data_bucket}/lake"
  checkpoint_uri = "s3://${local.data_bucket}/checkpoints/streaming-job"
  artifacts_key  = "artifacts"

  kafka_iam_port = 9098
  redis_port     = 6379
  dashboard_port = 8501

  # The postings topic ARN that IAM kafka-cluster:* actions are scoped to.
  msk_topic_arn_prefix = replace(aws_msk_cluster.this.arn, ":cluster/", ":topic/")
  msk_group_arn_prefix = replace(aws_msk_cluster.this.arn, ":cluster/", ":group/")
  postings_topic_arn   = "${local.msk_topic_arn_prefix}/${var.postings_topic}"

  # Settings every runtime shares; names are talent_pulse/settings.py's (tests/infra checks it).
  common_env = {
    PULSE_KAFKA_AUTH        = "iam"
    PULSE_POSTINGS_TOPIC    = var.postings_topic
    PULSE_SERVING_NAMESPACE = var.serving_namespace
    PULSE_LAKE_URI          = local.lake_uri
    PULSE_LAKE_CATALOG      = "glue"
    PULSE_GLUE_DATABASE     = aws_glue_catalog_database.lake.name
    PULSE_ATHENA_WORKGROUP  = aws_athena_workgroup.history.name
  }
}
