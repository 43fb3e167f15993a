# Build artifacts, uploaded by Terraform: the job never downloads anything at start.
# `make artifacts` builds them into build/:
#   build/talent_pulse.zip      the shared package, for --py-files
#   build/lambda-producer.zip   the Lambda producer (make package-lambda)
#   build/jars/*.jar            the skill matcher, Kafka connector + deps, aws-msk-iam-auth: baked into
#                               the job's runtime image by `make image` (emr.tf), not uploaded
# The job entry point is uploaded straight from the repo.
#
# A plan without the artifacts fails with a message saying which are missing, unless
# allow_missing_artifacts = true (the offline checks); missing pieces are then left out.

locals {
  artifacts_dir = abspath(startswith(var.artifacts_dir, "/") ? var.artifacts_dir : "${path.module}/${var.artifacts_dir}")

  job_entry_point_path = "${local.repo_root}/glue_or_emr_jobs/streaming_job.py"
  package_zip_path     = "${local.artifacts_dir}/talent_pulse.zip"
  lambda_zip_path      = "${local.artifacts_dir}/lambda-producer.zip"

  job_files = {
    for key, path in {
      "${local.artifacts_key}/streaming_job.py" = local.job_entry_point_path
      "${local.artifacts_key}/talent_pulse.zip" = local.package_zip_path
    } : key => path if fileexists(path)
  }
  lambda_zip_present = fileexists(local.lambda_zip_path)

  missing_artifacts = [for path in [local.job_entry_point_path, local.package_zip_path, local.lambda_zip_path] : path if !fileexists(path)]
}

resource "terraform_data" "artifacts_built" {
  input = sort(keys(local.job_files))

  lifecycle {
    precondition {
      condition     = var.allow_missing_artifacts || length(local.missing_artifacts) == 0
      error_message = "Build artifacts are missing: ${join(", ", local.missing_artifacts)}. Run `make artifacts` (or `make deploy`, which builds them) before planning."
    }
  }
}

resource "aws_s3_object" "artifacts" {
  for_each = local.job_files

  bucket      = aws_s3_bucket.this["data"].id
  key         = each.key
  source      = each.value
  source_hash = filemd5(each.value)
}

resource "aws_s3_object" "lambda_zip" {
  count = local.lambda_zip_present ? 1 : 0

  bucket      = aws_s3_bucket.this["data"].id
  key         = "${local.artifacts_key}/lambda-producer.zip"
  source      = local.lambda_zip_path
  source_hash = filemd5(local.lambda_zip_path)
}
