# Pure derivation, no provider: where each Iceberg table of talent_pulse/data/tables.json lives
# and how it is partitioned. The streaming job creates the tables in the Glue Data Catalog on
# its first start (talent_pulse.lake.catalog.ensure_tables, from the same file); Terraform only
# needs their locations (lifecycle rules, IAM). Kept apart so tests can evaluate it offline.

locals {
  tables = { for name, table in jsondecode(file(var.tables_file)) : name => table if !startswith(name, "_") }

  # Athena (Trino) spelling of tables.json's Iceberg transforms.
  athena_transforms = {
    identity = "%s"
    day      = "day(%s)"
  }

  definitions = {
    for name, table in local.tables : name => {
      # Iceberg's Glue catalog puts a table at <database location>/<table>; the database's is <lake_uri>/<namespace>.
      prefix       = "${var.namespace}/${name}"
      location     = "${var.lake_uri}/${var.namespace}/${name}"
      columns      = table.columns
      partitioning = [for field in table.partitioning : format(local.athena_transforms[field.transform], field.column)]
    }
  }
}
