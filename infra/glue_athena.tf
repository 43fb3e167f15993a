# Glue catalog over the lake's Parquet. Columns and partition keys come from
# talent_pulse/data/tables.json and the `location` projection enum from the gazetteer, so
# Athena, the Spark job and DuckDB read one definition. Partition projection means no
# crawler and no MSCK REPAIR: a new dt or location is queryable the moment it is written.

module "lake_tables" {
  source = "./modules/lake_tables"

  tables_file           = "${local.repo_root}/talent_pulse/data/tables.json"
  gazetteer_file        = "${local.repo_root}/talent_pulse/data/locations.json"
  lake_uri              = local.lake_uri
  projection_start_date = var.projection_start_date
}

resource "aws_glue_catalog_database" "lake" {
  name        = replace(var.name, "-", "_")
  description = "${var.name} cold path: enriched postings and quarantined records"
}

resource "aws_glue_catalog_table" "lake" {
  for_each = module.lake_tables.tables

  database_name = aws_glue_catalog_database.lake.name
  name          = each.key
  table_type    = "EXTERNAL_TABLE"
  description   = "Parquet under ${each.value.location}, written by the streaming job"

  parameters = each.value.parameters

  dynamic "partition_keys" {
    for_each = each.value.partition_keys
    content {
      name    = partition_keys.value.name
      type    = partition_keys.value.type
      comment = partition_keys.value.comment
    }
  }

  storage_descriptor {
    location      = each.value.location
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters = {
        "serialization.format" = "1"
      }
    }

    dynamic "columns" {
      for_each = each.value.columns
      content {
        name    = columns.value.name
        type    = columns.value.type
        comment = columns.value.comment
      }
    }
  }
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
# talent_pulse/data/history_queries.yaml (talent_pulse.queries runs the same SQL); their `?`
# placeholders take Athena execution parameters.
resource "aws_athena_named_query" "history" {
  for_each = yamldecode(file("${local.repo_root}/talent_pulse/data/history_queries.yaml"))

  name        = each.key
  description = substr("${each.value.title}: ${each.value.description}", 0, 1024)
  workgroup   = aws_athena_workgroup.history.id
  database    = aws_glue_catalog_database.lake.name
  query       = each.value.sql
}
