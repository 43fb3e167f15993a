"""What the micro-batch sinks share: the checkpoint's query id and record counts, and the hot path's delta.

Exactly once, per sink:
- cold path and quarantine: Iceberg appends recorded by query id and batch id
  in the snapshot summary (`talent_pulse.lake.writer`).
- hot path: `talent_pulse.serving.apply_batch`, one Lua step fenced by the
  streaming query id and batch id.
Every failure raises: the batch fails, the query stops, and on restart the
batch replays from the checkpoint.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from talent_pulse.serving import BatchDelta


class Storage:
    """The Hadoop FileSystem API (s3a://, s3:// on EMR, file://) through the JVM: the checkpoint."""

    def __init__(self, spark: SparkSession):
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, uri: str):
        path = self._jvm.org.apache.hadoop.fs.Path(uri)
        return path.getFileSystem(self._conf), path

    def exists(self, uri: str) -> bool:
        fs, path = self._path(uri)
        return fs.exists(path)

    def read_text(self, uri: str) -> str:
        fs, path = self._path(uri)
        stream = fs.open(path)
        try:
            return self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
        finally:
            stream.close()

    def write_text(self, uri: str, text: str) -> None:
        fs, path = self._path(uri)
        stream = fs.create(path, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()

    def delete(self, uri: str, recursive: bool = False) -> None:
        fs, path = self._path(uri)
        if fs.exists(path) and not fs.delete(path, recursive):
            raise IOError(f"could not delete {uri}")


def _offsets_line(text: str) -> dict[str, dict[str, int]]:
    """The source offsets of an offset-log or initial-offsets file (last JSON line)."""
    lines = [line for line in text.replace("\x00", "").splitlines() if line.strip()]
    return json.loads(lines[-1])


def input_record_count(storage: Storage, checkpoint_uri: str, batch_id: int) -> int:
    """How many Kafka records this batch read, from the checkpoint's offset log.

    Offsets of a non-transactional topic are contiguous, so end - start per
    partition is the exact record count; this is what lets the job account for
    every record (accepted + quarantined + duplicates == read) without trusting
    the stateful operator's own metrics.
    """
    root = checkpoint_uri.rstrip("/")
    end = _offsets_line(storage.read_text(f"{root}/offsets/{batch_id}"))
    start_uri = f"{root}/offsets/{batch_id - 1}" if batch_id > 0 else f"{root}/sources/0/0"
    start = _offsets_line(storage.read_text(start_uri))
    return sum(
        offset - start.get(topic, {}).get(partition, 0)
        for topic, partitions in end.items()
        for partition, offset in partitions.items()
    )


def streaming_query_id(storage: Storage, checkpoint_uri: str) -> str:
    """The query id Spark keeps in the checkpoint: stable across restarts, the hot path's fence."""
    return json.loads(storage.read_text(f"{checkpoint_uri.rstrip('/')}/metadata"))["id"]


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


def _pair_counts(skills: pa.ChunkedArray) -> list[dict[str, Any]]:
    pairs: Counter = Counter()
    for names in skills.to_pylist():
        if names and len(names) > 1:
            pairs.update(combinations(names, 2))  # names are sorted, so each pair comes as (a, b) with a < b
    return [{"a": a, "b": b, "count_all": n} for (a, b), n in pairs.items()]


ISO_SECONDS = "yyyy-MM-dd'T'HH:mm:ss'Z'"  # in the session time zone, which the job pins to UTC
REMOTE_LABELS = {True: "remote", False: "onsite", None: "unknown"}


def summarise_batch(postings: DataFrame, quarantine: DataFrame, records_read: int) -> BatchDelta:
    """Per-batch deltas of every serving-layer counter, from the batch's postings and quarantine rows.

    Two Spark jobs without a shuffle: the few small columns the counters need
    come to the driver as Arrow (a batch is bounded by maxOffsetsPerTrigger) and
    are counted there with Arrow's group-by, once at their finest grain
    (location x minute x ...), then rolled up into every serving-layer view.
    Duplicates are what was read but is in neither table.
    """
    facts = postings.select(
        "location", "skills", "remote", "seniority",
        F.floor(F.unix_timestamp("event_time") / 60).alias("minute"),
        F.date_format("event_time", ISO_SECONDS).alias("event_time"),
    ).toArrow()
    rejects = quarantine.select("reason_code").toArrow()
    return delta_from_facts(facts, rejects, records_read)


def delta_from_facts(facts: pa.Table, rejects: pa.Table, records_read: int) -> BatchDelta:
    """The serving-layer delta of postings facts (location, skills, remote, seniority, minute, event_time as
    ISO seconds) and rejects (reason_code); `pulse lake rebuild-serving` feeds it the same facts from the lake."""
    posting_counts = _counted(facts, ["location", "minute", "remote", "seniority"], ("event_time", "max"))
    skills = facts.column("skills")
    owners = pc.list_parent_indices(skills)
    mentions = _counted(pa.table({"location": facts.column("location").take(owners),
                                  "minute": facts.column("minute").take(owners),
                                  "skill": pc.list_flatten(skills)}), ["location", "minute", "skill"])
    reject_counts = _counted(rejects, ["reason_code"])
    accepted, rejected = facts.num_rows, rejects.num_rows
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
        pairs=_summed(_pair_counts(skills), lambda row: (row["a"], row["b"])),
        remote=_summed(posting_counts, lambda row: REMOTE_LABELS[row["remote"]]),
        seniority=_summed(posting_counts, lambda row: row["seniority"] or "unknown"),
        rejected_reasons=_summed(reject_counts, lambda row: row["reason_code"]),
        last_event_time=max((row["event_time_max"] for row in posting_counts), default=None),
    )
