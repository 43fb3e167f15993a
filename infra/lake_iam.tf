# IAM for the lake's Iceberg tables: the EMR job role (stream and maintenance) keeps the tables'
# metadata in the Glue database, and the maintenance schedule starts job runs with that role.

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

resource "aws_iam_role" "lake_scheduler" {
  name_prefix        = "${var.name}-lake-sched-"
  assume_role_policy = data.aws_iam_policy_document.assume["scheduler"].json
}

data "aws_iam_policy_document" "lake_scheduler" {
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

  # The schedule is encrypted with the platform key; its role decrypts it at each invocation.
  statement {
    sid       = "DecryptTheSchedule"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.platform.arn]
  }
}

resource "aws_iam_role_policy" "lake_scheduler" {
  name   = "lake-maintenance"
  role   = aws_iam_role.lake_scheduler.id
  policy = data.aws_iam_policy_document.lake_scheduler.json
}
