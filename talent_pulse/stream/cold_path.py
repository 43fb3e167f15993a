"""The cold path: every enriched posting and every quarantined record into the Iceberg lake, on its own cadence.

A query of its own (own Kafka source, own checkpoint, trigger PULSE_COLD_TRIGGER_SECONDS,
60 s by default), so a slow or failing lake never delays the hot path's live counts.
Each micro-batch is one Iceberg commit per table, recorded under the query id and
batch id in the snapshot summary (talent_pulse.lake.writer): a batch replayed after
a crash is skipped, so rows stay unique by event_id.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming.query import StreamingQuery

from talent_pulse.lake.writer import LakeBatchWriter
from talent_pulse.serving.keys import DEDUP_WINDOW_SECONDS
from talent_pulse.settings import Settings
from talent_pulse.stream.checkpoint import OffsetLog, Storage
from talent_pulse.stream.priority import HotPathFirst
from talent_pulse.stream.progress import BatchReports, StepClock
from talent_pulse.stream.source import start_batches_query
from talent_pulse.stream.transforms import (
    accepted,
    deduplicate,
    enrich_records,
    rejected,
    to_postings_rows,
    to_quarantine_rows,
)
from talent_pulse.tables import postings_table, quarantine_table

COLD_QUERY_NAME = "talent-pulse-cold"
# The cold query reads Kafka in tasks of about this many records: a core the cold path holds is free again
# within a fraction of a second for the hot path's next batch (the scheduler serves the hot pool first).
COLD_RECORDS_PER_TASK = 2_000


def cold_read_options(settings: Settings) -> dict[str, str]:
    """The cold query's own batch bound (a full 60 s at 2,000 postings/s by default), read in small tasks."""
    batch = settings.cold_max_offsets_per_trigger
    return {"maxOffsetsPerTrigger": str(batch), "minPartitions": str(max(1, -(-batch // COLD_RECORDS_PER_TASK)))}


def lake_columns(records: DataFrame) -> DataFrame:
    """Enriched records narrowed to what the two tables hold: an accepted posting's raw bytes (the
    quarantine's column) are dropped, so the dedup's shuffle and state carry each posting about once, not
    twice (raw JSON beside its parsed fields)."""
    table_columns = (column.name for table in (postings_table(), quarantine_table()) for column in table.columns)
    columns = dict.fromkeys(["event_id", "reason_code", *(name for name in table_columns if name != "batch_id")])
    quarantined_only = {
        name: F.when(F.col("reason_code").isNotNull(), F.col(name)) for name in ("raw_key", "raw_value")
    }
    return records.withColumns(quarantined_only).select(*columns)


def deduplicated_records(records: DataFrame) -> DataFrame:
    """Enriched records for the lake, repeated event_ids dropped within the dedup window of ingest time
    (Spark's state)."""
    return deduplicate(lake_columns(enrich_records(records)), f"{DEDUP_WINDOW_SECONDS} seconds")


class ColdBatch:
    """foreachBatch of the cold query: postings and quarantine rows appended exactly once. Failures raise.

    A batch first waits while the hot path catches up on a backlog (`priority.HotPathFirst`)."""

    def __init__(self, spark: SparkSession, settings: Settings, hot_path_first: HotPathFirst):
        self.hot_path_first = hot_path_first
        self.lake = LakeBatchWriter(spark, settings)
        self.offsets = OffsetLog(Storage(spark), settings.cold_checkpoint_uri())
        self.query_id: str | None = None
        self.reports = BatchReports()

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        """`batch`: the micro-batch's `deduplicated_records`."""
        clock = StepClock()
        self.hot_path_first.wait_for_hot_path()
        clock.step("hot_path_first")
        self.query_id = self.query_id or self.offsets.query_id()
        records = batch.persist()
        try:
            rows = records.count()
            clock.step("records")  # the Kafka read, validation, enrichment and dedup, into memory
            files = self.lake.write(
                to_postings_rows(accepted(records), batch_id),
                to_quarantine_rows(rejected(records), batch_id),
                self.query_id,
                batch_id,
            )
            clock.step("lake")
        finally:
            records.unpersist()
        self.reports.file(
            batch_id,
            {
                "rows": rows,
                "files": sum(files.values()),
                **files,
                "seconds": clock.total(),
                "sink_steps_ms": clock.steps,
            },
        )


def start_cold_query(
    spark: SparkSession, settings: Settings, hot_path_first: HotPathFirst
) -> tuple[StreamingQuery, ColdBatch]:
    sink = ColdBatch(spark, settings, hot_path_first)
    query = start_batches_query(
        spark,
        settings,
        COLD_QUERY_NAME,
        deduplicated_records,
        sink,
        settings.cold_checkpoint_uri(),
        settings.cold_trigger_seconds,
        cold_read_options(settings),
    )
    return query, sink
