"""Table maintenance: quarantine retention, bin-pack compaction per (day, location), snapshot expiry, orphans.

Runs in a Spark session that has the lake catalog (`pulse lake maintain` locally,
the scheduled EMR Serverless job on AWS). With the local SQLite catalog only one
JVM may commit at a time, so run it while the streaming job is stopped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pyspark.sql import SparkSession

from talent_pulse.lake.catalog import CATALOG, table_name
from talent_pulse.lake.writer import load_iceberg_table
from talent_pulse.settings import Settings
from talent_pulse.tables import Table, load_tables

# Compacts a partition as soon as it has two files (Iceberg's default waits for five).
MIN_INPUT_FILES = 2


@dataclass
class TableReport:
    table: str
    files_before: dict[tuple[str, ...], int]
    files_after: dict[tuple[str, ...], int] = field(default_factory=dict)
    rewritten_files: int = 0
    added_files: int = 0
    expired_data_files: int = 0
    orphan_files_removed: int = 0
    deleted_rows: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        before, after = self.files_before, self.files_after
        most_before = max(before.values(), default=0)
        most_after = max(after.values(), default=0)
        return (
            f"{self.table}: {sum(before.values())} files in {len(before)} partitions before "
            f"(at most {most_before} per partition), {sum(after.values())} after (at most {most_after}); "
            f"{self.rewritten_files} rewritten into {self.added_files}, {self.expired_data_files} data files of "
            f"expired snapshots deleted, {self.orphan_files_removed} orphan files removed, "
            f"{self.deleted_rows} rows past retention deleted, {self.seconds:.1f} s"
        )


def files_per_partition(spark: SparkSession, name: str) -> dict[tuple[str, ...], int]:
    """Data files of the current snapshot per partition, e.g. ('2026-11-28', 'berlin-de') -> 3."""
    rows = spark.sql(f"SELECT partition, count(*) AS files FROM {name}.files GROUP BY partition").collect()
    return {tuple("" if value is None else str(value) for value in row.partition): row.files for row in rows}


def _identifier_in_catalog(name: str) -> str:
    return name.split(".", 1)[1]


def maintain_table(
    spark: SparkSession, settings: Settings, table: Table, catalog: str = CATALOG, now: datetime | None = None
) -> TableReport:
    started = time.monotonic()
    now = now or datetime.now(UTC)
    name = table_name(settings, table, catalog)
    report = TableReport(table.name, files_per_partition(spark, name))
    if table.name == "quarantine" and settings.lake_quarantine_retention_days > 0:
        report.deleted_rows = delete_old_quarantine(spark, name, now, settings.lake_quarantine_retention_days)
    target_bytes = settings.lake_target_file_mb * 1024 * 1024
    rewrite = spark.sql(
        f"CALL {catalog}.system.rewrite_data_files(table => '{_identifier_in_catalog(name)}', strategy => 'binpack', "
        f"options => map('target-file-size-bytes', '{target_bytes}', 'min-input-files', '{MIN_INPUT_FILES}'))"
    ).first()
    assert rewrite is not None, "a CALL returns one row"
    report.rewritten_files, report.added_files = rewrite.rewritten_data_files_count, rewrite.added_data_files_count
    expire_before = now - timedelta(hours=settings.lake_snapshot_max_age_hours)
    expire = spark.sql(
        f"CALL {catalog}.system.expire_snapshots(table => '{_identifier_in_catalog(name)}', "
        f"older_than => TIMESTAMP '{expire_before:%Y-%m-%d %H:%M:%S}', "
        f"retain_last => {settings.lake_retain_snapshots})"
    ).first()
    assert expire is not None, "a CALL returns one row"
    report.expired_data_files = expire.deleted_data_files_count
    report.orphan_files_removed = remove_orphan_files(
        spark, name, now - timedelta(hours=settings.lake_orphan_min_age_hours)
    )
    report.files_after = files_per_partition(spark, name)
    report.seconds = time.monotonic() - started
    return report


def delete_old_quarantine(spark: SparkSession, name: str, now: datetime, retention_days: int) -> int:
    """Delete quarantined records ingested before the retention window, whole days at a time.

    The cut is a day boundary, so Iceberg drops whole day partitions from its
    metadata instead of rewriting files; their files go when the snapshots expire.
    """
    cut = (now - timedelta(days=retention_days)).strftime("%Y-%m-%d 00:00:00")
    doomed: int = spark.sql(f"SELECT count(*) AS n FROM {name} WHERE ingested_at < TIMESTAMP '{cut}'").collect()[0].n
    if doomed:
        spark.sql(f"DELETE FROM {name} WHERE ingested_at < TIMESTAMP '{cut}'")
    return doomed


def remove_orphan_files(spark: SparkSession, name: str, older_than: datetime) -> int:
    """Delete files under the table's location that no snapshot references and are older than `older_than`.

    Uses Iceberg's action rather than the procedure: the procedure refuses ages
    under 24 h, and S3 needs prefix listing (there are no directories to walk).
    """
    jvm = cast(Any, spark.sparkContext._jvm)
    action = jvm.org.apache.iceberg.spark.actions.SparkActions.get(spark._jsparkSession)
    result = (
        action.deleteOrphanFiles(load_iceberg_table(spark, name))
        .olderThan(int(older_than.timestamp() * 1000))
        .usePrefixListing(True)
        .execute()
    )
    return sum(1 for _ in result.orphanFileLocations())


def maintain(spark: SparkSession, settings: Settings, catalog: str = CATALOG) -> list[TableReport]:
    return [maintain_table(spark, settings, table, catalog) for table in load_tables().values()]
