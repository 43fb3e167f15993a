"""The hot path: each micro-batch's serving-layer deltas, applied to Redis in one fenced step.

Each record is reduced to the few small columns the counters need
(`transforms.serving_facts`) in the Kafka read's tasks. Per batch: one Spark job
of one stage (no shuffle, no state store) brings the facts to the driver as Arrow
(a batch is bounded by maxOffsetsPerTrigger); repeated event_ids are dropped there,
within the batch and against the ids the serving layer counted within the dedup
window (`talent_pulse.serving.seen`); Arrow's group-by and numpy count the rest at
their finest grain, and `talent_pulse.serving.apply_batch` applies the deltas and
the newly counted ids atomically, fenced by the query id and batch id, so a replayed
batch changes nothing. The hot path never waits for the lake: the cold path is
another query with its own checkpoint (talent_pulse.stream.cold_path).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from talent_pulse.serving import BatchDelta, apply_batch, redis_client
from talent_pulse.serving.seen import ingest_bucket, seen_before, window_buckets
from talent_pulse.settings import Settings
from talent_pulse.stream.checkpoint import OffsetLog, Storage
from talent_pulse.stream.progress import BatchReports, StepClock
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


SeenBefore = Callable[[list[str], range], "np.ndarray[Any, np.dtype[np.bool_]]"]


def first_counts(facts: pa.Table, seen: SeenBefore) -> tuple[pa.Table, dict[int, list[str]]]:
    """A batch's facts without repeated postings, and the event ids they add, by ingest bucket.

    A posting is repeated when its event_id comes earlier in the batch or `seen` says an
    earlier batch counted it (within the window of ingest buckets before the batch's
    records). Quarantined records are kept: their key is their unique Kafka position.
    """
    rows = pa.array(np.arange(facts.num_rows))
    is_posting = pc.is_null(facts.column("reason_code"))
    postings = facts.select(["event_id", "ingested_seconds"]).append_column("row", rows).filter(is_posting)
    firsts = postings.group_by("event_id", use_threads=False).aggregate([("row", "min")])
    first_rows = firsts.column("row_min").to_numpy()
    ingested = facts.column("ingested_seconds").to_numpy(zero_copy_only=False)[first_rows]
    event_ids = np.asarray(firsts.column("event_id").to_pylist(), dtype=object)
    if len(event_ids):
        new = ~seen(event_ids.tolist(), window_buckets(int(ingested.min()), int(ingested.max())))
        first_rows, ingested, event_ids = first_rows[new], ingested[new], event_ids[new]
    kept = np.sort(np.concatenate([first_rows, np.flatnonzero(~is_posting.to_numpy(zero_copy_only=False))]))
    added: dict[int, list[str]] = defaultdict(list)
    for event_id, seconds in zip(event_ids, ingested.tolist(), strict=True):
        added[ingest_bucket(seconds)].append(event_id)
    return facts.take(pa.array(kept, pa.int64())), dict(added)


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
    """foreachBatch of the hot query: facts -> first counts -> deltas -> one fenced Redis step. Failures raise."""

    def __init__(self, spark: SparkSession, settings: Settings):
        self.settings = settings
        self.offsets = OffsetLog(Storage(spark), settings.hot_checkpoint_uri())
        self.redis = redis_client(settings)
        self.fence_id: str | None = None
        self.reports = BatchReports()

    def _seen_before(self, event_ids: list[str], buckets: range) -> np.ndarray[Any, np.dtype[np.bool_]]:
        return seen_before(self.redis, self.settings.serving_namespace, event_ids, buckets)

    def __call__(self, facts: DataFrame, batch_id: int) -> None:
        """`facts`: the batch's `transforms.serving_facts`, one row per Kafka record read."""
        clock = StepClock()
        self.fence_id = self.fence_id or self.offsets.query_id()
        table = facts.select(*FACT_COLUMNS, "event_id", "ingested_seconds").toArrow()
        read = table.num_rows
        clock.step("spark")
        counted, added = first_counts(table, self._seen_before)
        clock.step("dedup")
        delta = summarise_facts(counted, read)
        delta.seen = added
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


def drop_stateful_dedup(storage: Storage, checkpoint_uri: str) -> bool:
    """Delete the dedup state store of a hot checkpoint written by an earlier version; True if there was one.

    The hot plan has no stateful operator any more, and Spark refuses to run a plan whose
    stateful operators differ from the checkpoint's. The offsets and the query id (the
    fence) stay, so the query goes on from its last batch, exactly once."""
    state = f"{checkpoint_uri.rstrip('/')}/state"
    if not storage.exists(state):
        return False
    storage.delete(state, recursive=True)
    return True


def start_hot_query(spark: SparkSession, settings: Settings) -> tuple[StreamingQuery, HotBatch]:
    if drop_stateful_dedup(Storage(spark), settings.hot_checkpoint_uri()):
        print(
            f"hot checkpoint {settings.hot_checkpoint_uri()}: removed the dedup state of an earlier version "
            "(the hot path now drops repeated event ids against Redis); offsets and fence kept",
            flush=True,
        )
    sink = HotBatch(spark, settings)
    query = start_batches_query(
        spark, settings, HOT_QUERY_NAME, serving_facts, sink, settings.hot_checkpoint_uri(), settings.trigger_seconds
    )
    return query, sink
