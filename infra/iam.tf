# One role per component, each allowed only what that component does. Resources are scoped
# to this deployment's ARNs; the few "*" resources are actions AWS cannot scope (noted).

locals {
  data_bucket_arn    = aws_s3_bucket.this["data"].arn
  results_bucket_arn = aws_s3_bucket.this["results"].arn
  producer_arn       = "arn:${local.partition}:lambda:${var.region}:${local.account_id}:function:${var.name}-producer"
  # The lake's Iceberg tables are created by the job (lake_maintenance.tf), so their ARNs are a pattern.
  glue_catalog_arns = [
    "arn:${local.partition}:glue:${var.region}:${local.account_id}:catalog",
    aws_glue_catalog_database.lake.arn,
    "arn:${local.partition}:glue:${var.region}:${local.account_id}:table/${aws_glue_catalog_database.lake.name}/*",
  ]
}

data "aws_iam_policy_document" "assume" {
  for_each = {
    producer      = "lambda.amazonaws.com"
    scheduler     = "scheduler.amazonaws.com"
    emr_job       = "emr-serverless.amazonaws.com"
    ecs_tasks     = "ecs-tasks.amazonaws.com"
    vpc_flow_logs = "vpc-flow-logs.amazonaws.com"
  }

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [each.value]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# --- producer (Lambda) ---------------------------------------------------------------------

resource "aws_iam_role" "producer" {
  name_prefix        = "${var.name}-producer-"
  assume_role_policy = data.aws_iam_policy_document.assume["producer"].json
}

data "aws_iam_policy_document" "producer" {
  # checkov:skip=CKV_AWS_111: the only "*" resources are the Lambda VPC ENI actions and X-Ray segments, which AWS cannot scope to resources.
  # checkov:skip=CKV_AWS_356: same statements: ec2 network-interface and xray actions do not support resource-level permissions.
  statement {
    sid = "ConnectToTheCluster"
    # WriteDataIdempotently is a cluster action: the producer is idempotent (enable.idempotence=true).
    actions   = ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"]
    resources = [aws_msk_cluster.this.arn]
  }

  statement {
    sid       = "DecryptOwnEnvironment"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.platform.arn]
  }

  statement {
    sid       = "PublishToThePostingsTopic"
    actions   = ["kafka-cluster:WriteData", "kafka-cluster:DescribeTopic"]
    resources = [local.postings_topic_arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["producer"].arn}:*"]
  }

  # A failed asynchronous (scheduled) invocation goes to the default bus: alarms.tf alerts on it.
  statement {
    sid       = "ReportFailedInvocations"
    actions   = ["events:PutEvents"]
    resources = [local.default_event_bus_arn]
  }

  # Lambda attaches its ENIs in the VPC; EC2 cannot scope these actions to resources.
  statement {
    sid = "ManageVpcNetworkInterfaces"
    actions = [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ]
    resources = ["*"]
  }

  # X-Ray trace segments have no resource ARN.
  statement {
    sid       = "SendTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "producer" {
  name   = "producer"
  role   = aws_iam_role.producer.id
  policy = data.aws_iam_policy_document.producer.json
}

# --- scheduler -----------------------------------------------------------------------------

resource "aws_iam_role" "scheduler" {
  name_prefix        = "${var.name}-scheduler-"
  assume_role_policy = data.aws_iam_policy_document.assume["scheduler"].json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "InvokeTheProducer"
    actions   = ["lambda:InvokeFunction"]
    resources = [local.producer_arn, "${local.producer_arn}:*"]
  }

  # The schedule is encrypted with the platform key; its role decrypts it at each invocation.
  statement {
    sid       = "DecryptTheSchedule"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.platform.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "scheduler"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

# --- streaming job (EMR Serverless) --------------------------------------------------------

resource "aws_iam_role" "emr_job" {
  name_prefix        = "${var.name}-emr-job-"
  assume_role_policy = data.aws_iam_policy_document.assume["emr_job"].json
}

data "aws_iam_policy_document" "emr_job" {
  statement {
    sid       = "ListTheDataBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.data_bucket_arn]
  }

  statement {
    sid       = "ReadJobArtifacts"
    actions   = ["s3:GetObject"]
    resources = ["${local.data_bucket_arn}/${local.artifacts_key}/*"]
  }

  statement {
    sid     = "WriteLakeAndCheckpoints"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [
      "${local.data_bucket_arn}/lake/*",
      "${local.data_bucket_arn}/checkpoints/*",
    ]
  }

  statement {
    sid       = "UseThePlatformKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.platform.arn]
  }

  statement {
    sid       = "ConnectToTheCluster"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    resources = [aws_msk_cluster.this.arn]
  }

  statement {
    sid       = "ReadThePostingsTopic"
    actions   = ["kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"]
    resources = [local.postings_topic_arn]
  }

  # Spark's Kafka source names its consumer groups spark-kafka-source-*.
  statement {
    sid       = "UseSparkConsumerGroups"
    actions   = ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"]
    resources = ["${local.msk_group_arn_prefix}/spark-kafka-source-*"]
  }

  statement {
    sid       = "ReadTheWriterPassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.redis_auth["writer"].arn]
  }

  # PutMetricData has no resource-level permissions; the condition limits it to the job's namespace.
  statement {
    sid       = "PublishBatchMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [local.metrics_namespace]
    }
  }

  statement {
    sid       = "WriteJobLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.this["emr"].arn}:*"]
  }

  statement {
    sid       = "FindTheLogGroup"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:*"]
  }
}

resource "aws_iam_role_policy" "emr_job" {
  name   = "streaming-job"
  role   = aws_iam_role.emr_job.id
  policy = data.aws_iam_policy_document.emr_job.json
}

# --- dashboard (ECS): execution role pulls the image and injects the secret ---------------

resource "aws_iam_role" "dashboard_execution" {
  name_prefix        = "${var.name}-dash-exec-"
  assume_role_policy = data.aws_iam_policy_document.assume["ecs_tasks"].json
}

data "aws_iam_policy_document" "dashboard_execution" {
  # ECR issues registry tokens account-wide; the token alone grants nothing.
  statement {
    sid       = "GetRegistryToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullTheDashboardImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.this["dashboard"].arn]
  }

  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["dashboard"].arn}:*"]
  }

  statement {
    sid       = "InjectTheReaderPassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.redis_auth["reader"].arn]
  }

  statement {
    sid       = "DecryptTheSecretAndImage"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.platform.arn]
  }
}

resource "aws_iam_role_policy" "dashboard_execution" {
  name   = "dashboard-execution"
  role   = aws_iam_role.dashboard_execution.id
  policy = data.aws_iam_policy_document.dashboard_execution.json
}

# --- dashboard (ECS): task role runs the Athena history queries ---------------------------

resource "aws_iam_role" "dashboard_task" {
  name_prefix        = "${var.name}-dash-task-"
  assume_role_policy = data.aws_iam_policy_document.assume["ecs_tasks"].json
}

data "aws_iam_policy_document" "dashboard_task" {
  statement {
    sid = "QueryThroughTheWorkgroup"
    actions = [
      "athena:StartQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:StopQueryExecution",
      "athena:GetWorkGroup",
    ]
    resources = [aws_athena_workgroup.history.arn]
  }

  statement {
    sid       = "ReadTheCatalog"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions"]
    resources = local.glue_catalog_arns
  }

  statement {
    sid       = "ReadTheLake"
    actions   = ["s3:GetObject"]
    resources = ["${local.data_bucket_arn}/lake/*"]
  }

  statement {
    sid       = "ListTheBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.data_bucket_arn, local.results_bucket_arn]
  }

  statement {
    sid       = "WriteQueryResults"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${local.results_bucket_arn}/*"]
  }

  statement {
    sid       = "UseThePlatformKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.platform.arn]
  }
}

resource "aws_iam_role_policy" "dashboard_task" {
  name   = "dashboard-task"
  role   = aws_iam_role.dashboard_task.id
  policy = data.aws_iam_policy_document.dashboard_task.json
}

# --- VPC flow logs -------------------------------------------------------------------------

resource "aws_iam_role" "flow_logs" {
  count = var.flow_logs_enabled ? 1 : 0

  name_prefix        = "${var.name}-flow-logs-"
  assume_role_policy = data.aws_iam_policy_document.assume["vpc_flow_logs"].json
}

data "aws_iam_policy_document" "flow_logs" {
  count = var.flow_logs_enabled ? 1 : 0

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  count = var.flow_logs_enabled ? 1 : 0

  name   = "flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs[0].json
}
