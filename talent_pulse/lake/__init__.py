"""The cold path as an Apache Iceberg lakehouse: catalog, tables, writes, maintenance, reconcile, rebuild."""
