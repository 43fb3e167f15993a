# IAM for the lake's Iceberg tables: the EMR job role (stream and maintenance) keeps the tables'
# metadata in the Glue database, and the scheduler role starts maintenance job runs with it.

data "aws_iam_policy_document" "emr_job_lake" {
  statement {
    sid = "KeepIcebergTablesInGlue"
    actions = [
      "glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable",
    ]
    resources = local.glue_catalog_arns
  }
}

resource "aws_iam_role_policy" "emr_job_lake" {
  name   = "lake-tables"
  role   = aws_iam_role.emr_job.id
  policy = data.aws_iam_policy_document.emr_job_lake.json
}

# The platform's scheduler role (iam.tf) also starts the maintenance job runs.
data "aws_iam_policy_document" "scheduler_lake_maintenance" {
  statement {
    sid       = "StartMaintenanceRuns"
    actions   = ["emr-serverless:StartJobRun"]
    resources = [aws_emrserverless_application.stream.arn]
  }

  statement {
    sid       = "PassTheJobRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.emr_job.arn]
  }
}

resource "aws_iam_role_policy" "scheduler_lake_maintenance" {
  name   = "lake-maintenance"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler_lake_maintenance.json
}
