"""The one definition of the Spark session configuration.

The streaming job, the lake jobs (`pulse lake maintain`, the scheduled EMR job), `pulse skills eval`,
`pulse stream`'s spark-submit line and the tests build their sessions from these pieces, so a setting
changes in one place.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlparse

from pyspark.sql import SparkSession

from talent_pulse.lake import catalog as lake_catalog
from talent_pulse.settings import Settings

# A driver on this machine: reachable on loopback only, no web UI.
LOCAL_DRIVER_CONF = {
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
}


ROCKSDB_STATE_STORE = "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"
# Checkpoint files uploaded under their final names on S3, not renamed into place (4 requests a file, not 12);
# other file systems keep Spark's rename (glue_or_emr_jobs/skill-matcher, io.talentpulse.checkpoint).
DIRECT_WRITE_CHECKPOINTS = "io.talentpulse.checkpoint.DirectWriteCheckpointFileManager"
# What Spark uses on its own for s3:// through s3a (no AbstractFileSystem for the scheme): rename-based.
SPARK_RENAMING_CHECKPOINTS = "org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager"


def spark_home() -> str:
    """The Spark installation pyspark runs (its bin/spark-submit)."""
    from pyspark.find_spark_home import _find_spark_home

    return str(_find_spark_home())  # type: ignore[no-untyped-call]  # pyspark leaves it unannotated


def base_conf(settings: Settings) -> dict[str, str]:
    """The job's session settings without the lake catalog; s3:// goes through s3a only when an emulator
    endpoint is set."""
    conf = {
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.sources.partitionOverwriteMode": "static",
        # each query runs in its own scheduler pool (see stream.job.Pipeline.in_pool); the hot pool's tasks go
        # first (SCHEDULER_POOLS), so a long cold batch does not queue the hot batch's tasks behind it
        "spark.scheduler.mode": "FAIR",
        # the cold query's dedup holds an hour of event ids (7.2M at 2,000 postings/s): in RocksDB, off the heap
        # in bounded memory, with one small changelog upload per batch; the default provider keeps every id on
        # the heap and copies its whole map for each new version. A checkpoint keeps the provider it began with.
        "spark.sql.streaming.stateStore.providerClass": ROCKSDB_STATE_STORE,
        "spark.sql.streaming.stateStore.rocksdb.changelogCheckpointing.enabled": "true",
        "spark.sql.streaming.stateStore.rocksdb.boundedMemoryUsage": "true",
        "spark.sql.streaming.stateStore.rocksdb.maxMemoryUsageMB": "256",
        "spark.sql.streaming.checkpointFileManagerClass": DIRECT_WRITE_CHECKPOINTS,
    }
    if settings.aws_endpoint_url:
        endpoint = urlparse(settings.aws_endpoint_url)
        for scheme in ("s3", "s3a"):
            conf[f"spark.hadoop.fs.{scheme}.impl"] = "org.apache.hadoop.fs.s3a.S3AFileSystem"
        conf.update(
            {
                "spark.hadoop.fs.s3a.endpoint": settings.aws_endpoint_url,
                "spark.hadoop.fs.s3a.endpoint.region": settings.aws_region,
                "spark.hadoop.fs.s3a.path.style.access": "true",
                "spark.hadoop.fs.s3a.connection.ssl.enabled": str(endpoint.scheme == "https").lower(),
                "spark.hadoop.fs.s3a.change.detection.mode": "none",
            }
        )
    return conf


# FAIR scheduling serves a pool below its minShare (running tasks) first: the hot pool's minShare is above any
# executor count, so whenever hot tasks wait they get the next free core; the cold pool takes what is left.
SCHEDULER_POOLS = """<?xml version="1.0"?>
<allocations>
  <pool name="hot"><schedulingMode>FIFO</schedulingMode><weight>100</weight><minShare>10000</minShare></pool>
  <pool name="cold"><schedulingMode>FIFO</schedulingMode><weight>1</weight><minShare>0</minShare></pool>
</allocations>
"""


def scheduler_pools_file() -> str:
    """SCHEDULER_POOLS as the driver-local file that spark.scheduler.allocation.file names."""
    path = Path(tempfile.gettempdir()) / "talent-pulse-scheduler-pools.xml"
    path.write_text(SCHEDULER_POOLS)
    return str(path)


def job_conf(settings: Settings) -> dict[str, str]:
    """The streaming job's session configuration: ``base_conf`` plus the lake catalog."""
    return {**base_conf(settings), **lake_catalog.spark_conf(settings)}


def _session(app_name: str, conf: Mapping[str, str], master: str | None, jars: Iterable[Path]) -> SparkSession:
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    jar_list = ",".join(str(jar) for jar in jars)
    for key, value in {**conf, **({"spark.jars": jar_list} if jar_list else {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def build_session(
    settings: Settings,
    app_name: str = "talent-pulse-stream",
    *,
    master: str | None = None,
    jars: Iterable[Path] = (),
    extra: Mapping[str, str] | None = None,
) -> SparkSession:
    """A session configured like the streaming job, with the lake catalog ready. ``jars``: the connectors for
    a plain pyspark install (empty on EMR, which ships Iceberg); ``extra`` settings win."""
    lake_catalog.prepare_local_catalog(settings)
    pools = {"spark.scheduler.allocation.file": scheduler_pools_file()}
    return _session(app_name, {**job_conf(settings), **pools, **(extra or {})}, master, jars)


def local_session(
    app_name: str, jars: Iterable[Path], master: str = "local[2]", extra: Mapping[str, str] | None = None
) -> SparkSession:
    """A session on this machine with the given jars and no lake catalog (tools and tests)."""
    return _session(app_name, {**LOCAL_DRIVER_CONF, **(extra or {})}, master, jars)
