"""Reading a streaming query's checkpoint through the Hadoop FileSystem API (s3a://, s3:// on EMR, file://)."""

from __future__ import annotations

import json
from typing import Any, cast

from pyspark.sql import SparkSession


class Storage:
    """Small text files through the JVM's Hadoop FileSystem: checkpoints, manifests."""

    def __init__(self, spark: SparkSession):
        self._jvm = cast(Any, spark.sparkContext._jvm)
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, uri: str) -> tuple[Any, Any]:
        path = self._jvm.org.apache.hadoop.fs.Path(uri)
        return path.getFileSystem(self._conf), path

    def exists(self, uri: str) -> bool:
        fs, path = self._path(uri)
        return bool(fs.exists(path))

    def read_text(self, uri: str) -> str:
        fs, path = self._path(uri)
        stream = fs.open(path)
        try:
            return str(self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
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
            raise OSError(f"could not delete {uri}")


def _offsets_line(text: str) -> dict[str, dict[str, int]]:
    """The source offsets of an offset-log or initial-offsets file (last JSON line)."""
    lines = [line for line in text.replace("\x00", "").splitlines() if line.strip()]
    offsets: dict[str, dict[str, int]] = json.loads(lines[-1])
    return offsets


class OffsetLog:
    """How many Kafka records each batch of one query read, from its checkpoint's offset log.

    Offsets of a non-transactional topic are contiguous, so end - start per
    partition is the exact record count; this is what lets the job account for
    every record (accepted + quarantined + duplicates == read) without trusting
    the stateful operator's own metrics. The previous batch's end offsets are
    kept, so a running query reads one small file per batch.
    """

    def __init__(self, storage: Storage, checkpoint_uri: str):
        self.storage = storage
        self.root = checkpoint_uri.rstrip("/")
        self._ends: dict[int, dict[str, dict[str, int]]] = {}

    def _end(self, batch_id: int) -> dict[str, dict[str, int]]:
        if batch_id not in self._ends:
            uri = f"{self.root}/offsets/{batch_id}" if batch_id >= 0 else f"{self.root}/sources/0/0"
            self._ends = {batch_id: _offsets_line(self.storage.read_text(uri))}
        return self._ends[batch_id]

    def records_read(self, batch_id: int) -> int:
        start = self._end(batch_id - 1)
        end = self._end(batch_id)
        self._ends = {batch_id: end}
        return sum(
            offset - start.get(topic, {}).get(partition, 0)
            for topic, partitions in end.items()
            for partition, offset in partitions.items()
        )

    def query_id(self) -> str:
        """The query id Spark keeps in the checkpoint: stable across restarts, the hot path's fence."""
        return str(json.loads(self.storage.read_text(f"{self.root}/metadata"))["id"])
