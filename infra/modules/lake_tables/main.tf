# Pure derivation, no provider: Glue table definitions with partition projection from the
# repository's data files. Kept apart so tests can evaluate it offline (tests/infra).

locals {
  tables         = jsondecode(file(var.tables_file))
  gazetteer      = jsondecode(file(var.gazetteer_file))
  location_slugs = sort(distinct([for location in local.gazetteer.locations : location.slug]))

  projection_by_key = {
    dt = {
      "projection.dt.type"          = "date"
      "projection.dt.format"        = "yyyy-MM-dd"
      "projection.dt.range"         = "${var.projection_start_date},NOW"
      "projection.dt.interval"      = "1"
      "projection.dt.interval.unit" = "DAYS"
    }
    location = {
      "projection.location.type"   = "enum"
      "projection.location.values" = join(",", local.location_slugs)
    }
  }

  table_names = [for name, table in local.tables : name if can(table.partition_keys)]

  definitions = {
    for name in local.table_names : name => {
      prefix         = local.tables[name].prefix
      columns        = local.tables[name].columns
      partition_keys = local.tables[name].partition_keys
      location       = "${var.lake_uri}/${local.tables[name].prefix}/"
      parameters = merge(
        {
          "EXTERNAL"            = "TRUE"
          "classification"      = "parquet"
          "parquet.compression" = "SNAPPY"
          "projection.enabled"  = "true"
          # e.g. s3://bucket/lake/postings/dt=${dt}/location=${location}/
          "storage.location.template" = "${var.lake_uri}/${local.tables[name].prefix}/${join("/", [for key in local.tables[name].partition_keys : "${key.name}=$${${key.name}}"])}/"
        },
        merge([for key in local.tables[name].partition_keys : local.projection_by_key[key.name]]...),
      )
    }
  }
}
