# Image repositories: the dashboard (ECS) and the streaming job's runtime (EMR Serverless custom
# image). Tags are immutable: `make deploy` tags the dashboard by git commit and `make image`
# tags the runtime by the hash of its inputs.

locals {
  repositories = {
    dashboard   = "${var.name}/dashboard"
    job_runtime = "${var.name}/job-runtime"
  }
}

moved {
  from = aws_ecr_repository.dashboard
  to   = aws_ecr_repository.this["dashboard"]
}

moved {
  from = aws_ecr_lifecycle_policy.dashboard
  to   = aws_ecr_lifecycle_policy.this["dashboard"]
}

resource "aws_ecr_repository" "this" {
  for_each = local.repositories

  name                 = each.value
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_destroy_buckets

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.platform.arn
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = local.repositories

  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the 10 newest images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 10 }
      action       = { type = "expire" }
    }]
  })
}

# EMR Serverless pulls the runtime image with its service principal. The condition names this
# account's applications rather than ours alone: the application checks the policy when it is
# created, so it cannot name an ARN that does not exist yet.
data "aws_iam_policy_document" "job_runtime_pull" {
  statement {
    sid     = "EmrServerlessPullsTheRuntimeImage"
    actions = ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"]
    principals {
      type        = "Service"
      identifiers = ["emr-serverless.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:emr-serverless:${var.region}:${local.account_id}:/applications/*"]
    }
  }
}

resource "aws_ecr_repository_policy" "job_runtime" {
  repository = aws_ecr_repository.this["job_runtime"].name
  policy     = data.aws_iam_policy_document.job_runtime_pull.json
}
