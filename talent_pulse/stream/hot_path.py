"""The hot path: each micro-batch's serving-layer deltas, applied to Redis in one fenced step.

Each record is reduced to the few small columns the counters need
(`transforms.serving_facts`) before the stateful dedup, so only those cross the
shuffle. Per batch: one Spark job brings the deduplicated facts to the driver as
Arrow (a batch is bounded by maxOffsetsPerTrigger), Arrow's group-by and numpy
count them at their finest grain, and `talent_pulse.serving.apply_batch` applies
the deltas atomically, fenced by the query id and batch id, so a replayed batch
changes nothing. The hot path never waits for the lake: the cold path is another
query with its own checkpoint (talent_pulse.stream.cold_path).
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from talent_pulse.serving import BatchDelta, apply_batch, redis_client
from talent_pulse.settings import Settings
from talent_pulse.stream.checkpoint import OffsetLog, Storage
from talent_pulse.stream.progress import BatchReports
from talent_pulse.stream.source import start_batches_query
from talent_pulse.stream.transforms import FACT_COLUMNS, serving_facts

HOT_QUERY_NAME = "talent-pulse-hot"
REMOTE_LABELS = {True: "remote", False: "onsite", None: "unknown"}


def _counts(table: pa.Table, *keys: str) -> dict[Any, int]:
    """Rows per value of `keys` (a tuple of values when there are several), by Arrow's group-by."""
    grouped = table.group_by(list(keys), use_threads=False).aggregate([([], "count_all")])
    values = [grouped.column(key).to_pylist() for key in keys]
    counts = grouped.column("count_all").to_pylist()
    return dict(zip(values[0] if len(keys) == 1 else zip(*values, strict=True), counts, strict=True))


def _nested(flat: dict[tuple[Any, str], int]) -> dict[Any, dict[str, int]]:
    nested: dict[Any, dict[str, int]] = defaultdict(dict)
    for (outer, inner), count in flat.items():
        nested[outer][inner] = count
    return dict(nested)


def _with_hour(table: pa.Table) -> pa.Table:
    minutes = table.column("minute").to_numpy(zero_copy_only=False)
    return table.append_column("hour", pa.array(minutes // 60, pa.int64()))


def _mentions(postings: pa.Table) -> pa.Table:
    """One row per (posting, skill) with the posting's location, minute and hour."""
    skills = postings.column("skills")
    owners = pc.list_parent_indices(skills)
    return pa.table(
        {
            "skill": pc.list_flatten(skills),
            **{column: postings.column(column).take(owners) for column in ("location", "minute", "hour")},
        }
    )


def _pair_counts(skill_lists: pa.ChunkedArray) -> dict[tuple[str, str], int]:
    """How many postings name each pair of skills (a, b), a < b, from sorted skill lists, vectorised in numpy.

    Element i of the flattened lists pairs with every element after it in its own
    list; the pairs are counted as codes of the lists' skill dictionary."""
    lists = skill_lists.combine_chunks()
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    encoded = pc.list_flatten(lists).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    list_ends = np.repeat(np.cumsum(lengths), lengths)
    followers = list_ends - np.arange(len(codes)) - 1
    first = np.repeat(np.arange(len(codes)), followers)
    first_pair_of = np.repeat(np.cumsum(followers) - followers, followers)
    second = first + 1 + np.arange(len(first)) - first_pair_of
    size = len(encoded.dictionary)
    pairs, counts = np.unique(codes[first] * size + codes[second], return_counts=True)
    names = encoded.dictionary.to_pylist()
    return {(names[pair // size], names[pair % size]): int(count) for pair, count in zip(pairs, counts, strict=True)}


def summarise_facts(facts: pa.Table, records_read: int) -> BatchDelta:
    """Per-batch deltas of every serving-layer counter from a batch's facts (`transforms.serving_facts`).

    Rows with a reason_code are quarantined records; the others are accepted
    postings, whose skills are sorted. Duplicates are what was read but is in neither.
    """
    is_rejected = pc.is_valid(facts.column("reason_code"))
    postings = _with_hour(facts.filter(pc.invert(is_rejected)))
    rejects = facts.filter(is_rejected)
    accepted, rejected = postings.num_rows, rejects.num_rows
    duplicates = records_read - accepted - rejected
    if duplicates < 0:
        raise RuntimeError(f"{accepted} accepted + {rejected} rejected rows out of {records_read} records read")
    mentions = _mentions(postings)
    seniority = pc.fill_null(postings.column("seniority"), "unknown")
    return BatchDelta(
        postings=accepted,
        rejected=rejected,
        duplicates=duplicates,
        skills=_counts(mentions, "skill"),
        locations=_counts(postings, "location"),
        location_skills=_nested(_counts(mentions, "location", "skill")),
        minute_skills=_nested(_counts(mentions, "minute", "skill")),
        hour_skills=_nested(_counts(mentions, "hour", "skill")),
        minute_postings=_counts(postings, "minute"),
        hour_postings=_counts(postings, "hour"),
        pairs=_pair_counts(postings.column("skills")),
        remote={REMOTE_LABELS[remote]: count for remote, count in _counts(postings, "remote").items()},
        seniority=_counts(pa.table({"seniority": seniority}), "seniority"),
        rejected_reasons=_counts(rejects, "reason_code"),
        last_event_time=pc.max(postings.column("event_time")).as_py(),
    )


class HotBatch:
    """foreachBatch of the hot query: facts -> deltas -> one fenced Redis step. Failures raise."""

    def __init__(self, spark: SparkSession, settings: Settings):
        self.settings = settings
        self.offsets = OffsetLog(Storage(spark), settings.hot_checkpoint_uri())
        self.redis = redis_client(settings)
        self.fence_id: str | None = None
        self.reports = BatchReports()

    def __call__(self, facts: DataFrame, batch_id: int) -> None:
        """`facts`: the batch's deduplicated `transforms.serving_facts`."""
        clock = _StepClock()
        self.fence_id = self.fence_id or self.offsets.query_id()
        read = self.offsets.records_read(batch_id)
        clock.step("offsets")
        # Always run the plan, even when no record was read: Spark also runs a batch without data when the dedup
        # watermark moves, and the state store only commits that batch's version when the plan is executed.
        table = facts.select(*FACT_COLUMNS).toArrow()
        clock.step("spark")
        delta = summarise_facts(table, read)
        clock.step("summary")
        applied = apply_batch(self.redis, self.settings.serving_namespace, self.fence_id, batch_id, delta)
        clock.step("redis")
        self.reports.file(
            batch_id,
            {
                "rows_in": read,
                "accepted": delta.postings,
                "quarantined": delta.rejected,
                "duplicates": delta.duplicates,
                "hot_path": "applied" if applied else "already applied",
                "seconds": clock.total(),
                "sink_steps_ms": clock.steps,
            },
        )


class _StepClock:
    """Milliseconds spent in each named step of a batch, for the progress report."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()
        self.steps: dict[str, int] = {}

    def step(self, name: str) -> None:
        now = time.monotonic()
        self.steps[name] = round((now - self.last) * 1000)
        self.last = now

    def total(self) -> float:
        return round(time.monotonic() - self.started, 3)


def start_hot_query(spark: SparkSession, settings: Settings) -> tuple[StreamingQuery, HotBatch]:
    sink = HotBatch(spark, settings)
    query = start_batches_query(
        spark, settings, HOT_QUERY_NAME, serving_facts, sink, settings.hot_checkpoint_uri(), settings.trigger_seconds
    )
    return query, sink
