# Build artifacts, uploaded by Terraform: EMR Serverless has no internet access without NAT,
# so the job never downloads anything at start. `make artifacts` builds them into build/:
#   build/talent_pulse.zip      the shared package, for --py-files
#   build/jars/*.jar            the skill matcher (glue_or_emr_jobs/skill-matcher), Kafka connector + deps
#                               + aws-msk-iam-auth (Maven, glue_or_emr_jobs/pom.xml)
#   build/lambda-producer.zip   the Lambda producer (make package-lambda)
# The job entry point is uploaded straight from the repo.
#
# A plan without the artifacts fails with a message saying which are missing, unless
# allow_missing_artifacts = true (the offline checks); missing pieces are then left out.

locals {
  artifacts_dir = abspath(startswith(var.artifacts_dir, "/") ? var.artifacts_dir : "${path.module}/${var.artifacts_dir}")

  job_entry_point_path = "${local.repo_root}/glue_or_emr_jobs/streaming_job.py"
  package_zip_path     = "${local.artifacts_dir}/talent_pulse.zip"
  lambda_zip_path      = "${local.artifacts_dir}/lambda-producer.zip"
  jar_names            = fileset("${local.artifacts_dir}/jars", "*.jar")

  job_files = {
    for key, path in {
      "${local.artifacts_key}/streaming_job.py" = local.job_entry_point_path
      "${local.artifacts_key}/talent_pulse.zip" = local.package_zip_path
    } : key => path if fileexists(path)
  }
  jar_files = { for name in local.jar_names : "${local.artifacts_key}/jars/${name}" => "${local.artifacts_dir}/jars/${name}" }

  lambda_zip_present = fileexists(local.lambda_zip_path)

  missing_artifacts = concat(
    [for path in [local.job_entry_point_path, local.package_zip_path, local.lambda_zip_path] : path if !fileexists(path)],
    length(local.jar_names) == 0 ? ["${local.artifacts_dir}/jars/*.jar"] : [],
  )
}

resource "terraform_data" "artifacts_built" {
  input = sort(keys(merge(local.job_files, local.jar_files)))

  lifecycle {
    precondition {
      condition     = var.allow_missing_artifacts || length(local.missing_artifacts) == 0
      error_message = "Build artifacts are missing: ${join(", ", local.missing_artifacts)}. Run `make artifacts` (or `make deploy`, which builds them) before planning."
    }
  }
}

resource "aws_s3_object" "artifacts" {
  for_each = merge(local.job_files, local.jar_files)

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
