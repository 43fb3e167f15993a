# The data bucket holds the lake (lake/postings, lake/quarantine), the streaming checkpoints
# and the job artifacts; Athena writes query results to a bucket of its own.

locals {
  buckets = {
    data    = local.data_bucket
    results = local.results_bucket
  }
}

resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV2_AWS_62: nothing consumes bucket events: readers find the lake's data through the Glue catalog, never by notification.
  # checkov:skip=CKV_AWS_18: no server access logs (a log bucket per bucket); enable CloudTrail S3 data events when auditing requires it.
  # checkov:skip=CKV_AWS_144: no cross-region replication: versioning recovers deleted or overwritten objects; a second region's copy is disaster recovery this one-region stack does not offer.
  # checkov:skip=CKV2_AWS_6: false positive for the for_each instance "results": aws_s3_bucket_public_access_block.this covers every bucket of this for_each.
  # checkov:skip=CKV_AWS_21: false positive for the for_each instance "results": aws_s3_bucket_versioning.this enables versioning on every bucket.
  # checkov:skip=CKV_AWS_145: false positive for the for_each instance "results": aws_s3_bucket_server_side_encryption_configuration.this sets SSE-KMS on every bucket.
  for_each = local.buckets

  bucket        = each.value
  force_destroy = var.force_destroy_buckets
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.platform.arn
    }
    bucket_key_enabled = true
  }
}

data "aws_iam_policy_document" "bucket_tls_only" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this[each.key].arn, "${aws_s3_bucket.this[each.key].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  policy = data.aws_iam_policy_document.bucket_tls_only[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.this["data"].id

  # Checkpoint files are rewritten every micro-batch: keep only recent old versions.
  rule {
    id     = "expire-old-checkpoint-versions"
    status = "Enabled"
    filter {
      prefix = "checkpoints/"
    }
    noncurrent_version_expiration {
      noncurrent_days = var.checkpoint_noncurrent_expiration_days
    }
  }

  rule {
    # Iceberg tables: files are deleted by snapshot expiry and orphan removal (lake_maintenance.tf), never by a
    # lifecycle rule, which would delete files a snapshot still references. Only old versions go here.
    id     = "tidy-lake-versions"
    status = "Enabled"
    filter {
      prefix = "lake/"
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 3
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "results" {
  bucket = aws_s3_bucket.this["results"].id

  rule {
    id     = "expire-query-results"
    status = "Enabled"
    filter {}
    expiration {
      days = 7
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}
