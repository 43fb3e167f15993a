"""The Iceberg catalog of the lake tables, chosen by settings, and the tables' DDL from ``tables.json``.

Locally the catalog is Iceberg's JDBC catalog on a SQLite file; on AWS it is the
Glue Data Catalog. Either way the data and metadata files live under
``PULSE_LAKE_URI`` (the warehouse) and are written with ``S3FileIO`` when it is
an ``s3://`` URI (through ``AWS_ENDPOINT_URL`` on an emulator), or Hadoop's
file system when it is a local folder.

SQLite takes one committing JVM at a time: a second JVM committing to the same
catalog file while the streaming job runs fails with SQLITE_BUSY. So the local
`pulse lake maintain` runs while the stream is stopped (see docs/lakehouse.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from talent_pulse.settings import Settings
from talent_pulse.tables import Table

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

CATALOG = "lake"
SQLITE_FILE = "lake-catalog.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
CATALOG_IMPLEMENTATIONS = {
    "jdbc": "org.apache.iceberg.jdbc.JdbcCatalog",
    "glue": "org.apache.iceberg.aws.glue.GlueCatalog",
}
S3_SCHEMES = ("s3", "s3a")


def jdbc_uri(settings: Settings) -> str:
    """The JDBC catalog's URL: the setting, or a SQLite file in the local stack's data folder."""
    return settings.lake_catalog_uri or f"jdbc:sqlite:{Path(settings.data_dir).resolve() / SQLITE_FILE}"


def sqlite_path(settings: Settings) -> Path | None:
    """The SQLite file behind a jdbc catalog (None for other catalogs and databases)."""
    uri = jdbc_uri(settings)
    if settings.lake_catalog != "jdbc" or not uri.startswith("jdbc:sqlite:"):
        return None
    return Path(uri.removeprefix("jdbc:sqlite:").split("?")[0])


def sqlite_files(database: Path) -> list[Path]:
    """A SQLite database and the write-ahead log and shared-memory files WAL mode keeps beside it."""
    return [database, database.with_name(f"{database.name}-wal"), database.with_name(f"{database.name}-shm")]


def warehouse(settings: Settings) -> str:
    parsed = urlparse(settings.lake_uri)
    if parsed.scheme in S3_SCHEMES:
        return settings.lake_uri.rstrip("/")
    if parsed.scheme not in ("", "file"):
        raise ValueError(f"PULSE_LAKE_URI={settings.lake_uri!r}: use s3://bucket/prefix or a local folder")
    return Path(parsed.path).resolve().as_uri()


def spark_conf(settings: Settings, catalog: str = CATALOG) -> dict[str, str]:
    """Spark session configuration that registers the lake catalog as `catalog` (merge it into the session's)."""
    prefix = f"spark.sql.catalog.{catalog}"
    conf = {
        "spark.sql.extensions": ICEBERG_EXTENSIONS,
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.catalog-impl": CATALOG_IMPLEMENTATIONS[settings.lake_catalog],
        f"{prefix}.warehouse": warehouse(settings),
    }
    if settings.lake_catalog == "jdbc":
        conf[f"{prefix}.uri"] = jdbc_uri(settings)
        conf[f"{prefix}.jdbc.schema-version"] = "V1"
        # One connection per catalog instance, and write-ahead logging: each Spark session (the streaming
        # query's clone too) opens its own catalog, and on a restart the JDBC catalog's start-up check of
        # its tables leaves a read open on its connection; in SQLite's default rollback-journal mode that
        # read blocked every commit of the other session (SQLITE_BUSY after each kill -9 and restart). In
        # WAL mode readers never block the one writer. The busy timeout waits out short locks.
        conf[f"{prefix}.clients"] = "1"
        conf[f"{prefix}.jdbc.journal_mode"] = "WAL"
        conf[f"{prefix}.jdbc.busy_timeout"] = str(SQLITE_BUSY_TIMEOUT_MS)
    elif settings.aws_endpoint_url:
        conf[f"{prefix}.glue.endpoint"] = settings.aws_endpoint_url
    if urlparse(settings.lake_uri).scheme in S3_SCHEMES:
        conf[f"{prefix}.io-impl"] = "org.apache.iceberg.aws.s3.S3FileIO"
        conf[f"{prefix}.client.region"] = settings.aws_region
        if settings.aws_endpoint_url:
            conf[f"{prefix}.s3.endpoint"] = settings.aws_endpoint_url
            conf[f"{prefix}.s3.path-style-access"] = "true"
    return conf


def table_name(settings: Settings, table: Table, catalog: str = CATALOG) -> str:
    """The table's Spark identifier: catalog.namespace.table."""
    return f"{catalog}.{settings.glue_database}.{table.name}"


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def table_properties(settings: Settings) -> dict[str, str]:
    """Format v2, large zstd files clustered by partition, bounded metadata history."""
    return {
        "format-version": "2",
        "write.target-file-size-bytes": str(settings.lake_target_file_mb * 1024 * 1024),
        "write.distribution-mode": "hash",
        "write.parquet.compression-codec": "zstd",
        "write.metadata.delete-after-commit.enabled": "true",
        "write.metadata.previous-versions-max": "50",
        "history.expire.min-snapshots-to-keep": str(settings.lake_retain_snapshots),
    }


def create_table_sql(settings: Settings, table: Table, catalog: str = CATALOG) -> str:
    columns = ",\n  ".join(f"{c.name} {c.type} COMMENT {_literal(c.comment)}" for c in table.columns)
    partitions = ", ".join(field.spark_sql() for field in table.partitioning)
    properties = ", ".join(f"{_literal(k)}={_literal(v)}" for k, v in table_properties(settings).items())
    return (
        f"CREATE TABLE IF NOT EXISTS {table_name(settings, table, catalog)} (\n  {columns}\n)\n"
        f"USING iceberg PARTITIONED BY ({partitions}) TBLPROPERTIES ({properties})"
    )


def ensure_tables(spark: SparkSession, settings: Settings, catalog: str = CATALOG) -> None:
    """Create the namespace and every table of tables.json unless they exist (the job does this at start)."""
    from talent_pulse.tables import load_tables

    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {catalog}.{settings.glue_database}")
    for table in load_tables().values():
        spark.sql(create_table_sql(settings, table, catalog))


def prepare_local_catalog(settings: Settings) -> None:
    """The SQLite file's folder must exist before the JDBC catalog opens it."""
    path = sqlite_path(settings)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def metadata_location(settings: Settings, table: Table) -> str | None:
    """The current metadata file of a table, read from the catalog without a JVM (None: not created yet).

    Readers (DuckDB's iceberg_scan) take this file; the JDBC catalog keeps it in
    its `iceberg_tables` table, Glue in the table's `metadata_location` parameter.
    A SQLite catalog file serves one catalog (whatever name a Spark session gave it).
    """
    if settings.lake_catalog == "glue":
        import boto3

        glue = boto3.client("glue", region_name=settings.aws_region)
        try:
            found = glue.get_table(DatabaseName=settings.glue_database, Name=table.name)
        except glue.exceptions.EntityNotFoundException:
            return None
        location: str | None = found["Table"].get("Parameters", {}).get("metadata_location")
        return location
    import sqlite3

    path = sqlite_path(settings)
    if path is None:
        raise ValueError(
            f"PULSE_LAKE_CATALOG_URI={jdbc_uri(settings)!r}: readers support a SQLite JDBC catalog "
            "(jdbc:sqlite:/path/file.db) or PULSE_LAKE_CATALOG=glue"
        )
    if not path.exists():
        return None
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30) as connection:
        try:
            rows = connection.execute(
                "SELECT catalog_name, metadata_location FROM iceberg_tables "
                "WHERE table_namespace = ? AND table_name = ?",
                (settings.glue_database, table.name),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
    if len(rows) > 1:
        raise ValueError(
            f"{path} holds {table.name} for several catalogs ({', '.join(r[0] for r in rows)}): "
            "give each catalog a SQLite file of its own"
        )
    return rows[0][1] if rows else None
