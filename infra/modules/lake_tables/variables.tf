variable "tables_file" {
  description = "Path of talent_pulse/data/tables.json: columns and partition specs of the lake's Iceberg tables."
  type        = string
}

variable "lake_uri" {
  description = "The Iceberg warehouse, e.g. s3://bucket/lake."
  type        = string
}

variable "namespace" {
  description = "Iceberg namespace = Glue database of the tables; they live under <lake_uri>/<namespace>/<table>."
  type        = string
}
