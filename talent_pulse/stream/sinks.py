"""The micro-batch sinks: cold path (Parquet), quarantine (Parquet) and hot path (Redis).

Exactly once, per sink:
- cold path and quarantine: every partition (dt, location) of a batch becomes
  ONE Parquet object named after the batch, `…/dt=…/location=…/batch-<id>.parquet`,
  written by a single PUT from the executor that holds it: readers never
  see a partial file, and a replayed batch overwrites the same names instead of
  adding rows. No renames, so it costs one request per file on S3. A per-batch
  manifest records what was published: a batch whose manifest exists is
  skipped; a half-published batch's pending manifest lists its targets, which
  are removed before it is published again, so rows stay unique by event_id
  even after a crash between publishing and the offset commit.
- hot path: `talent_pulse.serving.apply_batch`, one Lua step fenced by the
  streaming query id and batch id.
Every failure raises: the batch fails, the query stops, and on restart the
batch replays from the checkpoint.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from talent_pulse.serving import BatchDelta
from talent_pulse.tables import Table

S3_SCHEMES = ("s3", "s3a", "s3n")
CONCURRENT_PUTS = 16


class Storage:
    """The Hadoop FileSystem API (s3a://, s3:// on EMR, file://) through the JVM: manifests and the checkpoint."""

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


@lru_cache(maxsize=None)
def s3_client(endpoint_url: str | None, region: str | None):
    """One client per executor process; an empty endpoint (the setting's default on AWS) means AWS itself."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)


def put_object(uri: str, data: bytes, endpoint_url: str | None = None, region: str | None = None) -> None:
    """Write one whole object: a single S3 PUT, or a local file replaced atomically."""
    parsed = urlparse(uri)
    if parsed.scheme in S3_SCHEMES:
        s3_client(endpoint_url, region).put_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"), Body=data)
        return
    if parsed.scheme not in ("", "file"):
        raise ValueError(f"lake URI {uri!r}: only s3://, s3a:// and local folders are supported")
    target = Path(unquote(parsed.path))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".", suffix=".tmp", delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, target)


@dataclass(frozen=True)
class PartitionWriter:
    """Runs on the executors (mapInArrow): each partition of a task's rows -> one Parquet object.

    A task holds whole partitions (the rows are hash-partitioned by the
    partition columns first); its objects are PUT concurrently, since a PUT
    waits on the network far more than on the CPU.
    """

    table_uri: str
    batch_id: int
    columns: tuple[str, ...]
    partition_names: tuple[str, ...]
    endpoint_url: str | None
    region: str | None

    def target(self, values: tuple[Any, ...]) -> str:
        partition_dir = "/".join(f"{name}={value}" for name, value in zip(self.partition_names, values))
        return f"{self.table_uri}/{partition_dir}/batch-{self.batch_id:012d}.parquet"

    def _publish(self, rows: pa.Table, values: tuple[Any, ...]) -> tuple[str, int]:
        mask = None
        for name, value in zip(self.partition_names, values):
            matches = pc.equal(rows.column(name), value)
            mask = matches if mask is None else pc.and_(mask, matches)
        group = rows.filter(mask).select(list(self.columns))
        buffer = io.BytesIO()
        pq.write_table(group, buffer, compression="snappy")
        uri = self.target(values)
        put_object(uri, buffer.getvalue(), self.endpoint_url, self.region)
        return uri, group.num_rows

    def write_task(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        received = list(batches)
        if not received:
            return
        rows = pa.Table.from_batches(received)
        keys = [tuple(row.values()) for row in
                rows.select(list(self.partition_names)).group_by(list(self.partition_names)).aggregate([]).to_pylist()]
        with ThreadPoolExecutor(CONCURRENT_PUTS) as pool:
            published = list(pool.map(lambda values: self._publish(rows, values), keys))
        yield pa.RecordBatch.from_pydict({"path": [uri for uri, _ in published], "rows": [n for _, n in published]})


class LakeCommitter:
    """Publishes one micro-batch's rows into a Hive-partitioned Parquet table, exactly once."""

    def __init__(self, storage: Storage, lake_uri: str, table: Table,
                 endpoint_url: str | None = None, region: str | None = None):
        self.storage = storage
        self.table = table
        root = lake_uri.rstrip("/")
        self.table_uri = f"{root}/{table.prefix}"
        self.manifest_uri = f"{root}/_manifests/{table.prefix}"
        self.endpoint_url, self.region = endpoint_url, region

    def _manifest(self, batch_id: int, state: str) -> str:
        suffix = "json" if state == "final" else "pending.json"
        return f"{self.manifest_uri}/{batch_id:012d}.{suffix}"

    def committed(self, batch_id: int) -> bool:
        return self.storage.exists(self._manifest(batch_id, "final"))

    def commit(self, rows: DataFrame, batch_id: int, partitions: list[dict[str, str]], row_count: int) -> int:
        """Write and publish the batch's `row_count` rows, which fall into `partitions` (partition column -> value).

        Returns the number of files published (0 if the batch was already published).
        """
        if self.committed(batch_id):
            return 0
        pending = self._manifest(batch_id, "pending")
        if self.storage.exists(pending):
            for target in json.loads(self.storage.read_text(pending))["files"]:
                self.storage.delete(target)
        writer = PartitionWriter(self.table_uri, batch_id, self.table.column_names, self.table.partition_names,
                                 self.endpoint_url, self.region)
        targets = sorted(writer.target(tuple(partition[name] for name in self.table.partition_names))
                         for partition in partitions)
        self.storage.write_text(pending, json.dumps({"batch_id": batch_id, "files": targets}))
        if row_count:
            written = (rows.repartition(*self.table.partition_names)
                       .mapInArrow(writer.write_task, "path string, rows long").collect())
            published, published_rows = sorted(row.path for row in written), sum(row.rows for row in written)
            if published != targets or published_rows != row_count:
                raise RuntimeError(f"batch {batch_id}: published {published_rows} rows in {len(published)} files, "
                                   f"expected {row_count} rows in {len(targets)} files")
        manifest = {"batch_id": batch_id, "rows": row_count, "files": targets}
        self.storage.write_text(self._manifest(batch_id, "final"), json.dumps(manifest))
        self.storage.delete(pending)
        return len(targets)


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


@dataclass(frozen=True)
class BatchSummary:
    """What one micro-batch adds to the serving layer, and where its rows go in the cold path."""

    delta: BatchDelta
    postings_partitions: list[dict[str, str]]
    quarantine_partitions: list[dict[str, str]]


def summarise_batch(postings: DataFrame, quarantine: DataFrame, records_read: int) -> BatchSummary:
    """Per-batch deltas of every serving-layer counter, from the batch's postings and quarantine rows.

    Two Spark jobs without a shuffle: the few small columns the counters need
    come to the driver as Arrow (a batch is bounded by maxOffsetsPerTrigger) and
    are counted there with Arrow's group-by, once at their finest grain (dt x
    location x minute x ...), then rolled up into every serving-layer view and
    the partitions the batch writes. Duplicates are what was read but is in
    neither table.
    """
    facts = postings.select(
        "dt", "location", "skills", "remote", "seniority",
        F.floor(F.unix_timestamp("event_time") / 60).alias("minute"),
        F.date_format("event_time", ISO_SECONDS).alias("event_time"),
    ).toArrow()
    rejects = quarantine.select("dt", "reason_code").toArrow()
    posting_counts = _counted(facts, ["dt", "location", "minute", "remote", "seniority"], ("event_time", "max"))
    skills = facts.column("skills")
    owners = pc.list_parent_indices(skills)
    mentions = _counted(pa.table({"location": facts.column("location").take(owners),
                                  "minute": facts.column("minute").take(owners),
                                  "skill": pc.list_flatten(skills)}), ["location", "minute", "skill"])
    reject_counts = _counted(rejects, ["dt", "reason_code"])
    accepted, rejected = facts.num_rows, rejects.num_rows
    duplicates = records_read - accepted - rejected
    if duplicates < 0:
        raise RuntimeError(f"{accepted} accepted + {rejected} rejected rows out of {records_read} records read")
    delta = BatchDelta(
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
    return BatchSummary(
        delta=delta,
        postings_partitions=[{"dt": dt, "location": location}
                             for dt, location in sorted({(row["dt"], row["location"]) for row in posting_counts})],
        quarantine_partitions=[{"dt": dt} for dt in sorted({row["dt"] for row in reject_counts})],
    )
