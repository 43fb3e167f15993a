# One customer-managed key encrypts the platform's data at rest: the lake and Athena results,
# MSK storage, ElastiCache, the Redis token secret and the CloudWatch log groups.

resource "aws_kms_key" "platform" {
  description             = "${var.name}: data at rest (S3, MSK, ElastiCache, Secrets Manager, CloudWatch Logs)"
  enable_key_rotation     = true
  deletion_window_in_days = 14
  policy                  = data.aws_iam_policy_document.kms_platform.json
}

resource "aws_kms_alias" "platform" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.platform.key_id
}

data "aws_iam_policy_document" "kms_platform" {
  # checkov:skip=CKV_AWS_111: a key policy's "*" resource means this key only; its users are the account and AWS services acting for this account.
  # checkov:skip=CKV_AWS_356: same: in a key policy the resource "*" is the key itself.
  # checkov:skip=CKV_AWS_109: the account-root statement is the standard key policy that lets IAM policies grant use of the key; without it the key becomes unmanageable.
  # The account administers the key; each role's own IAM policy then grants what it may use.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsEncryptsThisAccountsLogGroups"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
    ]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:*"]
    }
  }

  # EventBridge rules and CloudWatch alarms publish to the encrypted alerts topic (the statement
  # AWS documents for encrypted SNS topics; the topic policy admits only this deployment's rules
  # and alarms).
  statement {
    sid       = "AlertsReachTheEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "cloudwatch.amazonaws.com"]
    }
  }

  # EMR Serverless pulls the runtime image from the encrypted repository.
  statement {
    sid       = "EmrServerlessReadsTheRuntimeImage"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["emr-serverless.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}
