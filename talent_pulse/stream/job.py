"""The streaming job: Kafka -> validate -> dedup -> (cold path, quarantine, hot path) per micro-batch.

Runs unchanged under `spark-submit --master local[2]` and on EMR Serverless;
everything comes from `Settings` (environment variables).
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlparse

from pyspark.errors import StreamingQueryException
from pyspark.sql import DataFrame, SparkSession

from talent_pulse.lake import catalog as lake_catalog
from talent_pulse.lake.writer import LakeBatchWriter
from talent_pulse.serving import BatchDelta, apply_batch, redis_client
from talent_pulse.settings import Settings
from talent_pulse.stream.sinks import (
    Storage,
    input_record_count,
    streaming_query_id,
    summarise_batch,
)
from talent_pulse.stream.transforms import (
    accepted,
    dedup_key,
    deduplicate,
    enrich,
    parse_records,
    rejected,
    to_postings_rows,
    to_quarantine_rows,
)

DEDUP_WATERMARK = "1 hour"
ERROR_LINE = re.compile(r"^[\w.]+(Error|Exception): ")
PROGRESS_PREFIX = "PULSE_BATCH "


def spark_conf(settings: Settings) -> dict[str, str]:
    """Session configuration; s3:// goes through s3a only when an emulator endpoint is set."""
    conf = {
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.sources.partitionOverwriteMode": "static",
    }
    if settings.aws_endpoint_url:
        endpoint = urlparse(settings.aws_endpoint_url)
        for scheme in ("s3", "s3a"):
            conf[f"spark.hadoop.fs.{scheme}.impl"] = "org.apache.hadoop.fs.s3a.S3AFileSystem"
        conf.update({
            "spark.hadoop.fs.s3a.endpoint": settings.aws_endpoint_url,
            "spark.hadoop.fs.s3a.endpoint.region": settings.aws_region,
            "spark.hadoop.fs.s3a.path.style.access": "true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled": str(endpoint.scheme == "https").lower(),
            "spark.hadoop.fs.s3a.change.detection.mode": "none",
        })
    conf.update(lake_catalog.spark_conf(settings))
    return conf


def kafka_options(settings: Settings) -> dict[str, str]:
    options = {
        "kafka.bootstrap.servers": settings.kafka_bootstrap,
        "subscribe": settings.postings_topic,
        "startingOffsets": settings.starting_offsets,
        "maxOffsetsPerTrigger": str(settings.max_offsets_per_trigger),
        "kafka.max.partition.fetch.bytes": str(4 * 1024 * 1024),
    }
    if settings.kafka_auth == "iam":
        options.update({
            "kafka.security.protocol": "SASL_SSL",
            "kafka.sasl.mechanism": "AWS_MSK_IAM",
            "kafka.sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
            "kafka.sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
        })
    return options


def build_session(settings: Settings, app_name: str = "talent-pulse-stream") -> SparkSession:
    lake_catalog.prepare_local_catalog(settings)
    builder = SparkSession.builder.appName(app_name)
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def records_for_batches(spark: SparkSession, settings: Settings) -> DataFrame:
    """The streaming plan up to the micro-batch boundary: parse, key, dedup (stateful, bounded)."""
    kafka_rows = spark.readStream.format("kafka").options(**kafka_options(settings)).load()
    return deduplicate(dedup_key(parse_records(kafka_rows)), DEDUP_WATERMARK)


class MicroBatch:
    """One micro-batch = one unit of work: cold path, quarantine, then hot path. Failures raise."""

    def __init__(self, spark: SparkSession, settings: Settings):
        self.settings = settings
        self.storage = Storage(spark)
        self.lake = LakeBatchWriter(spark, settings)
        self.redis = redis_client(settings)
        self.fence_id: str | None = None

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        started = time.monotonic()
        self.fence_id = self.fence_id or streaming_query_id(self.storage, self.settings.checkpoint_uri)
        read = input_record_count(self.storage, self.settings.checkpoint_uri, batch_id)
        # A batch without records only moves the dedup state's watermark: nothing to write, the fence still advances.
        delta = self._publish(batch, batch_id, read) if read else BatchDelta()
        applied = apply_batch(self.redis, self.settings.serving_namespace, self.fence_id, batch_id, delta)
        report = {
            "batch": batch_id, "rows_in": read, "accepted": delta.postings, "quarantined": delta.rejected,
            "duplicates": delta.duplicates, "hot_path": "applied" if applied else "already applied",
            "seconds": round(time.monotonic() - started, 3),
        }
        print(PROGRESS_PREFIX + json.dumps(report), flush=True)

    def _publish(self, batch: DataFrame, batch_id: int, read: int) -> BatchDelta:
        """Cold path and quarantine for a batch that read `read` records; returns the hot-path delta."""
        batch = batch.persist()
        events = enrich(accepted(batch)).persist()
        try:
            postings, quarantine = to_postings_rows(events, batch_id), to_quarantine_rows(rejected(batch), batch_id)
            delta = summarise_batch(postings, quarantine, read)
            self.lake.write(postings, quarantine, self.fence_id, batch_id)
            return delta
        finally:
            events.unpersist()
            batch.unpersist()


def start(spark: SparkSession, settings: Settings):
    return (
        records_for_batches(spark, settings)
        .writeStream.queryName("talent-pulse")
        .foreachBatch(MicroBatch(spark, settings))
        .option("checkpointLocation", settings.checkpoint_uri)
        .trigger(processingTime=f"{settings.trigger_seconds} seconds")
        .start()
    )


def run(settings: Settings, until_idle: float | None = None) -> None:
    """Run the query; with `until_idle`, stop cleanly once no record has arrived for that many seconds."""
    spark = build_session(settings)
    query = start(spark, settings)
    print(f"streaming {settings.postings_topic} from {settings.kafka_bootstrap}; checkpoint "
          f"{settings.checkpoint_uri}; lake {settings.lake_uri}", flush=True)
    idle_since = time.monotonic()
    try:
        while query.isActive:
            query.awaitTermination(1)
            status = query.status
            if query.lastProgress is None or status["isTriggerActive"] or status["isDataAvailable"]:
                idle_since = time.monotonic()
            elif until_idle is not None and time.monotonic() - idle_since > until_idle:
                print(f"no new record for {until_idle:.0f}s: stopping", flush=True)
                query.stop()
        query.awaitTermination()  # raises a failure that ended the query between two checks
    except StreamingQueryException as failure:
        print(f"streaming query failed: {failure_summary(str(failure))}\n  the failed batch is replayed from the "
              "checkpoint when the job starts again: fix the cause, then restart it", flush=True)
        raise SystemExit(1) from failure


def failure_summary(message: str) -> str:
    """The first line of a query failure and its innermost error (e.g. the exception a sink raised)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    causes = [line for line in lines if ERROR_LINE.match(line)]
    return " | ".join(dict.fromkeys(lines[:1] + causes[-1:]))
