"""The micro-batch sinks: cold path (Parquet), quarantine (Parquet) and hot path (Redis).

Exactly once, per sink:
- cold path and quarantine: Spark writes the batch into a staging prefix outside
  the table; the committer then moves every file to a name derived from the
  batch id, guarded by a per-batch manifest. A batch whose manifest exists is
  skipped; a half-published batch is undone (its pending manifest lists the
  targets) and published again. Queries never see staging, so rows are unique
  by event_id even after a crash between publishing and the offset commit.
- hot path: `talent_pulse.serving.apply_batch`, one Lua step fenced by the
  streaming query id and batch id.
Every failure raises: the batch fails, the query stops, and on restart the
batch replays from the checkpoint.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from talent_pulse.serving import BatchDelta
from talent_pulse.tables import Table


class Storage:
    """The Hadoop FileSystem API (s3a://, s3:// on EMR, file://) through the JVM."""

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

    def list_files(self, uri: str, suffix: str) -> list[str]:
        fs, path = self._path(uri)
        if not fs.exists(path):
            return []
        found, files = [], fs.listFiles(path, True)
        while files.hasNext():
            name = files.next().getPath().toString()
            if name.endswith(suffix):
                found.append(name)
        return sorted(found)

    def move(self, source: str, target: str) -> None:
        fs, source_path = self._path(source)
        _, target_path = self._path(target)
        fs.mkdirs(target_path.getParent())
        if not fs.rename(source_path, target_path):
            raise IOError(f"could not move {source} to {target}")


class LakeCommitter:
    """Publishes one micro-batch's rows into a Hive-partitioned Parquet table, exactly once."""

    def __init__(self, storage: Storage, lake_uri: str, table: Table):
        self.storage = storage
        self.table = table
        root = lake_uri.rstrip("/")
        self.table_uri = f"{root}/{table.prefix}"
        self.staging_uri = f"{root}/_staging/{table.prefix}"
        self.manifest_uri = f"{root}/_manifests/{table.prefix}"

    def _manifest(self, batch_id: int, state: str) -> str:
        suffix = "json" if state == "final" else "pending.json"
        return f"{self.manifest_uri}/{batch_id:012d}.{suffix}"

    def committed(self, batch_id: int) -> bool:
        return self.storage.exists(self._manifest(batch_id, "final"))

    def commit(self, rows: DataFrame, batch_id: int, row_count: int) -> int:
        """Write and publish the batch; returns the number of files published (0 if already done)."""
        if self.committed(batch_id):
            return 0
        pending = self._manifest(batch_id, "pending")
        if self.storage.exists(pending):
            for target in json.loads(self.storage.read_text(pending))["files"]:
                self.storage.delete(target)
        staging = f"{self.staging_uri}/batch={batch_id}"
        self.storage.delete(staging, recursive=True)
        staged: list[str] = []
        if row_count:
            rows.write.mode("overwrite").partitionBy(*self.table.partition_names).parquet(staging)
            staged = self.storage.list_files(staging, ".parquet")
        targets = [self._target(source, batch_id, n) for n, source in enumerate(staged)]
        self.storage.write_text(pending, json.dumps({"batch_id": batch_id, "files": targets}))
        for source, target in zip(staged, targets):
            self.storage.move(source, target)
        manifest = {"batch_id": batch_id, "rows": row_count, "files": targets}
        self.storage.write_text(self._manifest(batch_id, "final"), json.dumps(manifest))
        self.storage.delete(pending)
        self.storage.delete(staging, recursive=True)
        return len(targets)

    def _target(self, source: str, batch_id: int, n: int) -> str:
        partition_dir = source.split(f"/batch={batch_id}/", 1)[1].rsplit("/", 1)[0]
        return f"{self.table_uri}/{partition_dir}/batch-{batch_id:012d}-{n:05d}.parquet"


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


def _counts(frame: DataFrame, *keys: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in frame.groupBy(*keys).count().collect()]


def _nested(rows: list[tuple[Any, ...]]) -> dict[Any, dict[str, int]]:
    nested: dict[Any, dict[str, int]] = defaultdict(dict)
    for outer, inner, count in rows:
        nested[outer][inner] = int(count)
    return dict(nested)


def build_delta(events: DataFrame, rejects: DataFrame, duplicates: int) -> BatchDelta:
    """Per-batch deltas of every serving-layer counter, from the enriched accepted events and the rejects."""
    bucketed = events.select(
        "location", "skills", "remote", "seniority", "event_time",
        (F.unix_timestamp("event_time") / 60).cast("long").alias("minute"),
        (F.unix_timestamp("event_time") / 3600).cast("long").alias("hour"),
    )
    mentions = bucketed.select("location", "minute", "hour", F.explode("skills").alias("skill"))
    pairs = events.select(
        F.explode(F.expr("filter(flatten(transform(skills, a -> transform(skills, b -> "
                         "named_struct('a', a, 'b', b)))), p -> p.a < p.b)")).alias("pair")
    ).select("pair.a", "pair.b")
    postings = dict(_counts(bucketed, "location"))
    last_event = bucketed.agg(F.date_format(F.max("event_time"), "yyyy-MM-dd'T'HH:mm:ss'Z'")).first()[0]
    remote = {
        {True: "remote", False: "onsite", None: "unknown"}[flag]: int(count)
        for flag, count in _counts(bucketed, "remote")
    }
    rejected_reasons = {code: int(count) for code, count in _counts(rejects, "reason_code")}
    return BatchDelta(
        postings=int(sum(postings.values())),
        rejected=sum(rejected_reasons.values()),
        duplicates=duplicates,
        skills={skill: int(count) for skill, count in _counts(mentions, "skill")},
        locations={slug: int(count) for slug, count in postings.items()},
        location_skills=_nested(_counts(mentions, "location", "skill")),
        minute_skills=_nested(_counts(mentions, "minute", "skill")),
        hour_skills=_nested(_counts(mentions, "hour", "skill")),
        minute_postings={int(m): int(c) for m, c in _counts(bucketed, "minute")},
        hour_postings={int(h): int(c) for h, c in _counts(bucketed, "hour")},
        pairs={(a, b): int(count) for a, b, count in _counts(pairs, "a", "b")},
        remote=remote,
        seniority={level or "unknown": int(count) for level, count in _counts(bucketed, "seniority")},
        rejected_reasons=rejected_reasons,
        last_event_time=last_event,
    )
