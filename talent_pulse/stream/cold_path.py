"""The cold path: every enriched posting and every quarantined record into the lake, on its own cadence.

A query of its own (own Kafka source, own checkpoint, trigger PULSE_COLD_TRIGGER_SECONDS),
so a slow or failing lake never delays the hot path's live counts.
"""

from __future__ import annotations

import time
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery

from talent_pulse.settings import Settings
from talent_pulse.stream.checkpoint import Storage
from talent_pulse.stream.progress import BatchReports
from talent_pulse.stream.sinks import LakeCommitter
from talent_pulse.stream.source import records_for_batches
from talent_pulse.stream.transforms import accepted, enrich_records, rejected, to_postings_rows, to_quarantine_rows
from talent_pulse.tables import postings_table, quarantine_table

COLD_QUERY_NAME = "talent-pulse-cold"


def _partitions(rows: DataFrame, names: tuple[str, ...]) -> tuple[list[dict[str, str]], int]:
    """The partitions a batch's rows fall into and the number of rows, in one small aggregation."""
    counted = rows.groupBy(*names).count().collect()
    return [{name: row[name] for name in names} for row in counted], sum(row["count"] for row in counted)


class ColdBatch:
    """foreachBatch of the cold query: postings and quarantine rows published exactly once. Failures raise."""

    def __init__(self, spark: SparkSession, settings: Settings):
        storage = Storage(spark)
        self.postings, self.quarantine = (
            LakeCommitter(storage, settings.lake_uri, table, settings.aws_endpoint_url, settings.aws_region)
            for table in (postings_table(), quarantine_table()))
        self.reports = BatchReports()

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        started = time.monotonic()
        batch = batch.persist()
        try:
            files = 0
            records = enrich_records(batch)
            for committer, rows in ((self.postings, to_postings_rows(accepted(records), batch_id)),
                                    (self.quarantine, to_quarantine_rows(rejected(records), batch_id))):
                rows = rows.persist()
                try:
                    partitions, count = _partitions(rows, committer.table.partition_names)
                    files += committer.commit(rows, batch_id, partitions, count)
                finally:
                    rows.unpersist()
        finally:
            batch.unpersist()
        self.reports.file(batch_id, {"files": files, "seconds": round(time.monotonic() - started, 3)})


def start_cold_query(spark: SparkSession, settings: Settings) -> tuple[StreamingQuery, ColdBatch]:
    sink = ColdBatch(spark, settings)
    query = (
        records_for_batches(spark, settings)
        .writeStream.queryName(COLD_QUERY_NAME)
        .foreachBatch(sink)
        .option("checkpointLocation", settings.cold_checkpoint_uri())
        .trigger(processingTime=f"{settings.cold_trigger_seconds} seconds")
        .start()
    )
    return query, sink
