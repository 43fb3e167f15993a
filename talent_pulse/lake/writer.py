"""Exactly-once appends of micro-batches to the Iceberg tables.

Each append is one Iceberg commit (one snapshot) whose summary records the
streaming query id and the batch id. Before appending, the writer looks up the
last batch this query committed to the table, walking the snapshot chain from
the current snapshot back (compactions in between add snapshots without the
marker and are walked past): a batch replayed after a crash between the
Iceberg commit and Spark's own offset commit is skipped, so rows stay unique
by event_id. `pulse lake maintain` keeps at least two snapshots when it
expires them: keeping one would cut that chain right after a compaction.
"""

from __future__ import annotations

from typing import Any, cast

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from talent_pulse.lake.catalog import CATALOG, ensure_tables, table_name
from talent_pulse.settings import Settings
from talent_pulse.tables import Table, postings_table, quarantine_table

QUERY_ID_PROPERTY = "pulse.streaming.query-id"
BATCH_ID_PROPERTY = "pulse.streaming.batch-id"


def load_iceberg_table(spark: SparkSession, name: str) -> Any:
    """The JVM `org.apache.iceberg.Table` behind a Spark identifier, refreshed to its latest metadata."""
    jvm = cast(Any, spark.sparkContext._jvm)
    table = jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, name)
    table.refresh()
    return table


def last_committed_batch(spark: SparkSession, name: str, query_id: str) -> int | None:
    """The highest batch id `query_id` appended to the table, from the current snapshot's ancestors."""
    table = load_iceberg_table(spark, name)
    snapshot = table.currentSnapshot()
    while snapshot is not None:
        summary = snapshot.summary()
        if summary.get(QUERY_ID_PROPERTY) == query_id:
            return int(summary.get(BATCH_ID_PROPERTY))
        parent = snapshot.parentId()
        snapshot = table.snapshot(parent) if parent is not None else None
    return None


def clustered_by_partition(rows: DataFrame, table: Table) -> DataFrame:
    """`rows` in one partition, sorted by the table's partition values (a `day` transform is the UTC date).

    A micro-batch is written by one task: while the lake write waits on S3, the
    cold path holds one core and the others stay with the hot path. Iceberg's
    writer needs the rows clustered by partition when it does not shuffle them
    itself, and each partition still gets one file per commit."""
    keys = [
        F.to_date(field.column) if field.transform == "day" else F.col(field.column) for field in table.partitioning
    ]
    return rows.coalesce(1).sortWithinPartitions(*keys)


class BatchAppender:
    """Appends one streaming query's micro-batches to one Iceberg table, each exactly once, in one write task."""

    def __init__(self, spark: SparkSession, table: Table, name: str):
        self.spark = spark
        self.table = table
        self.name = name
        self._last_committed: dict[str, int | None] = {}

    def append(self, rows: DataFrame, query_id: str, batch_id: int) -> int:
        """Append the batch's rows in one commit; returns the data files added (0: already committed, or empty)."""
        if query_id not in self._last_committed:
            self._last_committed[query_id] = last_committed_batch(self.spark, self.name, query_id)
        last = self._last_committed[query_id]
        if last is not None and batch_id <= last:
            return 0
        if rows.isEmpty():
            return 0
        (
            clustered_by_partition(rows, self.table)
            .writeTo(self.name)
            .option("distribution-mode", "none")
            .option("fanout-enabled", "false")  # the rows are clustered: one open file at a time, not one per partition
            .option(f"snapshot-property.{QUERY_ID_PROPERTY}", query_id)
            .option(f"snapshot-property.{BATCH_ID_PROPERTY}", str(batch_id))
            .append()
        )
        self._last_committed[query_id] = batch_id
        # the session that committed (the stream's own clone) reads its commit back, not another session's catalog
        return int(load_iceberg_table(rows.sparkSession, self.name).currentSnapshot().summary().get("added-data-files"))


class LakeBatchWriter:
    """One micro-batch's postings and quarantine rows -> their Iceberg tables, each table exactly once."""

    def __init__(self, spark: SparkSession, settings: Settings, catalog: str = CATALOG):
        ensure_tables(spark, settings, catalog)
        self.postings = BatchAppender(spark, postings_table(), table_name(settings, postings_table(), catalog))
        self.quarantine = BatchAppender(spark, quarantine_table(), table_name(settings, quarantine_table(), catalog))

    def write(self, postings: DataFrame, quarantine: DataFrame, query_id: str, batch_id: int) -> dict[str, int]:
        """Append both; the data files each commit added (0: replayed or empty)."""
        return {
            "postings_files": self.postings.append(postings, query_id, batch_id),
            "quarantine_files": self.quarantine.append(quarantine, query_id, batch_id),
        }
