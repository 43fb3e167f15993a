output "tables" {
  description = "Iceberg tables by name: prefix (below lake_uri), location, columns, partitioning (Athena spelling)."
  value       = local.definitions
}

output "database_location" {
  description = "Location of the Glue database: Iceberg's Glue catalog creates each table below it."
  value       = "${var.lake_uri}/${var.namespace}"
}
