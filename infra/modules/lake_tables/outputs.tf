output "tables" {
  description = "Glue table definitions by table name: prefix, columns, partition_keys, location, parameters."
  value       = local.definitions
}

output "location_slugs" {
  description = "Canonical location slugs of the gazetteer, sorted: the `location` projection enum."
  value       = local.location_slugs
}
