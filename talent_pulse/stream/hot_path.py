"""The hot path: each micro-batch's serving-layer deltas, applied to Redis in one fenced step.

Per batch: one Spark job brings the few small columns the counters need to the
driver as Arrow (a batch is bounded by maxOffsetsPerTrigger), Arrow's group-by
counts them at their finest grain, and `talent_pulse.serving.apply_batch` applies
the deltas atomically, fenced by the query id and batch id, so a replayed batch
changes nothing. The hot path never waits for the lake: the cold path is another
query with its own checkpoint (talent_pulse.stream.cold_path).
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery

from talent_pulse.serving import PAIR_SEPARATOR, BatchDelta, apply_batch, redis_client
from talent_pulse.settings import Settings
from talent_pulse.stream.checkpoint import OffsetLog, Storage
from talent_pulse.stream.progress import BatchReports
from talent_pulse.stream.source import start_batches_query
from talent_pulse.stream.transforms import serving_facts

HOT_QUERY_NAME = "talent-pulse-hot"
REMOTE_LABELS = {True: "remote", False: "onsite", None: "unknown"}


def _summed(rows: list[dict[str, Any]], key) -> dict[Any, int]:
    totals: dict[Any, int] = defaultdict(int)
    for row in rows:
        totals[key(row)] += row["count_all"]
    return dict(totals)


def _nested(flat: dict[tuple[Any, str], int]) -> dict[Any, dict[str, int]]:
    nested: dict[Any, dict[str, int]] = defaultdict(dict)
    for (outer, inner), count in flat.items():
        nested[outer][inner] = count
    return dict(nested)


def _counted(table: pa.Table, keys: list[str], *extra: tuple[str, str]) -> list[dict[str, Any]]:
    return table.group_by(keys, use_threads=False).aggregate([([], "count_all"), *extra]).to_pylist()


def _exploded(facts: pa.Table, list_column: str, name: str, *keep: str) -> pa.Table:
    """One row per element of a list column, with the owning row's `keep` columns."""
    values = facts.column(list_column)
    owners = pc.list_parent_indices(values)
    return pa.table({**{column: facts.column(column).take(owners) for column in keep}, name: pc.list_flatten(values)})


def summarise_facts(facts: pa.Table, records_read: int) -> BatchDelta:
    """Per-batch deltas of every serving-layer counter from a batch's facts (`transforms.serving_facts`).

    Rows with a reason_code are quarantined records; the others are accepted
    postings. Duplicates are what was read but is in neither.
    """
    is_rejected = pc.is_valid(facts.column("reason_code"))
    postings = facts.filter(pc.invert(is_rejected))
    rejects = facts.filter(is_rejected)
    posting_counts = _counted(postings, ["location", "minute", "remote", "seniority"], ("event_time", "max"))
    mentions = _counted(_exploded(postings, "skills", "skill", "location", "minute"), ["location", "minute", "skill"])
    pair_counts = _counted(_exploded(postings, "pairs", "pair"), ["pair"])
    reject_counts = _counted(rejects, ["reason_code"])
    accepted, rejected = postings.num_rows, rejects.num_rows
    duplicates = records_read - accepted - rejected
    if duplicates < 0:
        raise RuntimeError(f"{accepted} accepted + {rejected} rejected rows out of {records_read} records read")
    return BatchDelta(
        postings=accepted,
        rejected=rejected,
        duplicates=duplicates,
        skills=_summed(mentions, lambda row: row["skill"]),
        locations=_summed(posting_counts, lambda row: row["location"]),
        location_skills=_nested(_summed(mentions, lambda row: (row["location"], row["skill"]))),
        minute_skills=_nested(_summed(mentions, lambda row: (row["minute"], row["skill"]))),
        hour_skills=_nested(_summed(mentions, lambda row: (row["minute"] // 60, row["skill"]))),
        minute_postings=_summed(posting_counts, lambda row: row["minute"]),
        hour_postings=_summed(posting_counts, lambda row: row["minute"] // 60),
        pairs=_summed(pair_counts, lambda row: tuple(row["pair"].split(PAIR_SEPARATOR, 1))),
        remote=_summed(posting_counts, lambda row: REMOTE_LABELS[row["remote"]]),
        seniority=_summed(posting_counts, lambda row: row["seniority"] or "unknown"),
        rejected_reasons=_summed(reject_counts, lambda row: row["reason_code"]),
        last_event_time=max((row["event_time_max"] for row in posting_counts), default=None),
    )


class HotBatch:
    """foreachBatch of the hot query: facts -> deltas -> one fenced Redis step. Failures raise."""

    def __init__(self, spark: SparkSession, settings: Settings):
        self.settings = settings
        self.offsets = OffsetLog(Storage(spark), settings.hot_checkpoint_uri())
        self.redis = redis_client(settings)
        self.fence_id: str | None = None
        self.reports = BatchReports()

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        started = time.monotonic()
        self.fence_id = self.fence_id or self.offsets.query_id()
        read = self.offsets.records_read(batch_id)
        # A batch without records only moves the dedup state's watermark: nothing to count, the fence still advances.
        delta = summarise_facts(serving_facts(batch).toArrow(), read) if read else BatchDelta()
        applied = apply_batch(self.redis, self.settings.serving_namespace, self.fence_id, batch_id, delta)
        self.reports.file(batch_id, {
            "rows_in": read, "accepted": delta.postings, "quarantined": delta.rejected,
            "duplicates": delta.duplicates, "hot_path": "applied" if applied else "already applied",
            "seconds": round(time.monotonic() - started, 3),
        })


def start_hot_query(spark: SparkSession, settings: Settings) -> tuple[StreamingQuery, HotBatch]:
    sink = HotBatch(spark, settings)
    return start_batches_query(spark, settings, HOT_QUERY_NAME, sink, settings.hot_checkpoint_uri(), settings.trigger_seconds), sink
