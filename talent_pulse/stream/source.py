"""The streaming source: Kafka records parsed against the contract, keyed for the dedup and prepared.

Each streaming query of the job (hot path, cold path) builds its own source, so
each reads Kafka at its own pace and keeps its own offsets in its own checkpoint.
Each query prepares the records it needs (the hot path only the serving facts, the
cold path the enriched records, deduplicated by Spark's state), so the per-record
work runs in the Kafka read's tasks.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from talent_pulse.settings import Settings
from talent_pulse.stream.transforms import dedup_key, parse_records

# How long the broker may hold a fetch that finds no new record (Kafka's default 500 ms). The consumer sends its
# next fetch ahead, right after a poll returns; at low rates that fetch finds nothing and a batch that seeks to
# its first offset waited for it: a 1-posting hot batch's Spark job took ~540 ms, with this ~80 ms. A fetch that
# finds records returns at once either way (fetch.min.bytes is 1), so large batches are unchanged.
FETCH_MAX_WAIT_MS = 20


def kafka_options(settings: Settings) -> dict[str, str]:
    options = {
        "kafka.bootstrap.servers": settings.kafka_bootstrap,
        "subscribe": settings.postings_topic,
        "startingOffsets": settings.starting_offsets,
        "maxOffsetsPerTrigger": str(settings.max_offsets_per_trigger),
        "kafka.max.partition.fetch.bytes": str(4 * 1024 * 1024),
        "kafka.fetch.max.wait.ms": str(FETCH_MAX_WAIT_MS),
    }
    if settings.kafka_auth == "iam":
        options.update(
            {
                "kafka.security.protocol": "SASL_SSL",
                "kafka.sasl.mechanism": "AWS_MSK_IAM",
                "kafka.sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
                "kafka.sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
            }
        )
    return options


Prepare = Callable[[DataFrame], DataFrame]


def records_for_batches(
    spark: SparkSession, settings: Settings, prepare: Prepare, read_options: dict[str, str] | None = None
) -> DataFrame:
    """The streaming plan up to the micro-batch boundary: parse, key for the dedup (event_id), `prepare`.

    `read_options` add to or override the Kafka source's options."""
    options = {**kafka_options(settings), **(read_options or {})}
    kafka_rows = spark.readStream.format("kafka").options(**options).load()
    return prepare(dedup_key(parse_records(kafka_rows)))


def start_batches_query(
    spark: SparkSession,
    settings: Settings,
    name: str,
    prepare: Prepare,
    sink: Callable[[DataFrame, int], None],
    checkpoint_uri: str,
    trigger_seconds: float,
    read_options: dict[str, str] | None = None,
) -> StreamingQuery:
    """A query of the job: its own source prepared by `prepare`, `sink` per micro-batch, its own checkpoint and
    trigger."""
    return (
        records_for_batches(spark, settings, prepare, read_options)
        .writeStream.queryName(name)
        .foreachBatch(sink)
        .option("checkpointLocation", checkpoint_uri)
        .trigger(processingTime=f"{trigger_seconds} seconds")
        .start()
    )
