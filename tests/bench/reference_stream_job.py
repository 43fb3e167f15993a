"""The reference design's streaming job, run by bench_stream.py beside ours (not part of the product).

Kafka -> from_json(title, description) -> Python UDF `skill in text.lower()` over
10 skills -> groupBy(skill).count() in `complete` output mode -> foreachBatch:
collect() the totals and SET one Redis key per skill. It reports each batch on
stdout like the project's job does (`PULSE_BATCH {json}`), and reads the same
PULSE_* settings.
"""

from __future__ import annotations

import json
import time

import redis
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType

from talent_pulse.serving import Keys
from talent_pulse.settings import Settings
from talent_pulse.spark_session import SPARK_RENAMING_CHECKPOINTS, build_session
from talent_pulse.stream.checkpoint import OffsetLog, Storage
from talent_pulse.stream.progress import PROGRESS_PREFIX
from talent_pulse.stream.source import kafka_options

REFERENCE_SKILLS = ("python", "java", "sql", "aws", "spark", "kafka", "react", "docker", "kubernetes", "go")


def reference_key(namespace: str, skill: str) -> str:
    """Inside the serving namespace, so `delete_namespace` clears it with the rest."""
    return Keys(namespace).prefix + f"reference:skill:{skill}"


@F.udf(ArrayType(StringType()))
def substring_skills(text):
    lowered = (text or "").lower()
    return [skill for skill in REFERENCE_SKILLS if skill in lowered]


def main() -> None:
    settings = Settings.from_env()
    # the naive design as it was: Spark's own checkpoint files (a temporary file renamed into place)
    spark = build_session(
        settings,
        "reference-stream",
        extra={"spark.sql.streaming.checkpointFileManagerClass": SPARK_RENAMING_CHECKPOINTS},
    )
    offsets = OffsetLog(Storage(spark), settings.checkpoint_uri)
    client = redis.Redis.from_url(settings.redis_url)
    postings = (
        spark.readStream.format("kafka")
        .options(**kafka_options(settings))
        .load()
        .select(F.from_json(F.col("value").cast("string"), "title string, description string").alias("p"))
    )
    totals = (
        postings.select(F.explode(substring_skills(F.concat_ws(" ", "p.title", "p.description"))).alias("skill"))
        .groupBy("skill")
        .count()
    )

    def write_totals(batch, batch_id: int) -> None:
        started = time.monotonic()
        for row in batch.collect():
            client.set(reference_key(settings.serving_namespace, row["skill"]), row["count"])
        report = {
            "batch": batch_id,
            "rows_in": offsets.records_read(batch_id),
            "seconds": round(time.monotonic() - started, 3),
        }
        print(PROGRESS_PREFIX + json.dumps(report), flush=True)

    (
        totals.writeStream.outputMode("complete")
        .foreachBatch(write_totals)
        .option("checkpointLocation", settings.checkpoint_uri)
        .trigger(processingTime=f"{settings.trigger_seconds} seconds")
        .start()
        .awaitTermination()
    )


if __name__ == "__main__":
    main()
