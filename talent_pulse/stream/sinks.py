"""The cold path's sink: postings and quarantine as Parquet in the lake.

Exactly once: every partition (dt, location) of a batch becomes
  ONE Parquet object named after the batch, `…/dt=…/location=…/batch-<id>.parquet`,
  written by a single PUT from the executor that holds it: readers never
  see a partial file, and a replayed batch overwrites the same names instead of
  adding rows. No renames, so it costs one request per file on S3. A per-batch
  manifest records what was published: a batch whose manifest exists is
  skipped; a half-published batch's pending manifest lists its targets, which
  are removed before it is published again, so rows stay unique by event_id
  even after a crash between publishing and the offset commit.
Every failure raises: the batch fails, the query stops, and on restart the
batch replays from the checkpoint.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyspark.sql import DataFrame

from talent_pulse.stream.checkpoint import Storage
from talent_pulse.tables import Table

S3_SCHEMES = ("s3", "s3a", "s3n")
CONCURRENT_PUTS = 16


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
