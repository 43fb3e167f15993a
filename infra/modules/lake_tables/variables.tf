variable "tables_file" {
  description = "Path of talent_pulse/data/tables.json: columns and partition keys of the cold-path tables."
  type        = string
}

variable "gazetteer_file" {
  description = "Path of talent_pulse/data/locations.json: the canonical location slugs."
  type        = string
}

variable "lake_uri" {
  description = "Root of the lake, e.g. s3://bucket/lake; each table lives under <lake_uri>/<prefix>/."
  type        = string
}

variable "projection_start_date" {
  description = "First dt (yyyy-MM-dd) of the date projection; the range ends at NOW."
  type        = string
}
