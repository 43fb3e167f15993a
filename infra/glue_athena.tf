# The lake's Iceberg tables (postings, quarantine) live in this Glue database. The streaming job
# creates them on its first start from talent_pulse/data/tables.json (Iceberg's Glue catalog,
# partitioned by day and location, format v2): one definition, no partition projection, and a new
# day or location is queryable the moment a commit adds it. module.lake_tables derives where they
# live from the same file (for lifecycle rules and IAM).

locals {
  glue_database = replace(var.name, "-", "_")
}

module "lake_tables" {
  source = "./modules/lake_tables"

  tables_file = "${local.repo_root}/talent_pulse/data/tables.json"
  lake_uri    = local.lake_uri
  namespace   = local.glue_database
}

resource "aws_glue_catalog_database" "lake" {
  name         = local.glue_database
  description  = "${var.name} cold path: Iceberg tables of enriched postings and quarantined records"
  location_uri = module.lake_tables.database_location
}

resource "aws_athena_workgroup" "history" {
  name          = var.name
  description   = "${var.name} history queries (dashboard and analysts)"
  force_destroy = var.force_destroy_buckets

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = "s3://${aws_s3_bucket.this["results"].bucket}/results/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.platform.arn
      }
    }
  }
}

# The dashboard's history queries, saved in the workgroup for analysts. Defined once in
# talent_pulse/data/history_queries.yaml (talent_pulse.queries runs the same SQL on DuckDB); they
# read the Iceberg tables and their `?` placeholders take Athena execution parameters.
resource "aws_athena_named_query" "history" {
  for_each = yamldecode(file("${local.repo_root}/talent_pulse/data/history_queries.yaml"))

  name        = each.key
  description = substr("${each.value.title}: ${each.value.description}", 0, 1024)
  workgroup   = aws_athena_workgroup.history.id
  database    = aws_glue_catalog_database.lake.name
  query       = each.value.sql
}
