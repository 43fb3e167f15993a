"""Pure DataFrame -> DataFrame transformations of the streaming job.

Each works on a batch or a streaming DataFrame alike and is unit-tested on a
local session. Nothing here runs per record in Python: validation, location
normalisation and skill extraction are JVM UDFs over the tables that the Python
definitions compile (talent_pulse.contract, talent_pulse.gazetteer,
talent_pulse.skills) and the driver broadcasts; tests hold the two to the same
answers.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from talent_pulse.contract import compiled_rules
from talent_pulse.gazetteer import load_gazetteer
from talent_pulse.remote_words import REMOTE_PATTERN
from talent_pulse.stream.jvm import apply_udf
from talent_pulse.stream.schema import parsed_schema, table_schema
from talent_pulse.tables import Table, postings_table, quarantine_table

VALIDATE_UDF_CLASS = "io.talentpulse.contract.ValidateUdf"
LOCATION_UDF_CLASS = "io.talentpulse.locations.LocationUdf"
_LOCATION_SCHEMA = T.StructType(
    [
        T.StructField("slug", T.StringType()),
        T.StructField("city", T.StringType()),
        T.StructField("country", T.StringType()),
        T.StructField("region", T.StringType()),
    ]
)

# Title words that state seniority, checked in this order (first match wins).
SENIORITY_PATTERNS = (
    ("intern", r"(?i)\b(intern|internship|trainee|apprentice)\b"),
    ("executive", r"(?i)\b(cto|cio|ceo|chief|vp|vice president|head of|director)\b"),
    ("principal", r"(?i)\b(principal|distinguished|staff)\b"),
    ("lead", r"(?i)\b(lead|manager|architect)\b"),
    ("senior", r"(?i)\b(senior|sr\.?|snr)\b|\bIII\b"),
    ("junior", r"(?i)\b(junior|jr\.?|graduate|entry[- ]level)\b"),
)


def parse_records(kafka_rows: DataFrame) -> DataFrame:
    """Kafka rows -> one row per record: raw bytes, source position, event fields, rejection reason."""
    return (
        kafka_rows.select(
            F.col("key").alias("raw_key"),
            F.col("value").alias("raw_value"),
            "topic",
            F.col("partition").alias("kafka_partition"),
            F.col("offset").alias("kafka_offset"),
            F.col("timestamp").alias("ingested_at"),
            apply_udf(kafka_rows, VALIDATE_UDF_CLASS, compiled_rules, F.col("value"), parsed_schema().json()).alias(
                "parsed"
            ),
        )
        .select("*", "parsed.*")
        .drop("parsed")
    )


def accepted(parsed: DataFrame) -> DataFrame:
    return parsed.where(F.col("reason_code").isNull())


def rejected(parsed: DataFrame) -> DataFrame:
    return parsed.where(F.col("reason_code").isNotNull())


def _gazetteer_tables() -> str:
    return load_gazetteer().compiled_tables()


def normalise_location(events: DataFrame) -> DataFrame:
    """Free-text `location` -> `location_raw` plus gazetteer slug (`location`), city, country, region."""
    return (
        events.withColumn(
            "_loc", apply_udf(events, LOCATION_UDF_CLASS, _gazetteer_tables, F.col("location"), _LOCATION_SCHEMA.json())
        )
        .withColumnRenamed("location", "location_raw")
        .select("*", F.col("_loc.slug").alias("location"), "_loc.city", "_loc.country", "_loc.region")
        .drop("_loc")
    )


def extract_skills(events: DataFrame) -> DataFrame:
    """Canonical skills found in title + description (sorted array), via the broadcast taxonomy."""
    from talent_pulse.skills.spark import with_skills

    return with_skills(events, text_cols=("title", "description"), out_col="skills")


def _derived_seniority() -> Column:
    derived = F.lit(None).cast("string")
    for level, pattern in reversed(SENIORITY_PATTERNS):
        derived = F.when(F.col("title").rlike(pattern), F.lit(level)).otherwise(derived)
    return derived


def derive_flags(events: DataFrame) -> DataFrame:
    """Fill seniority from the title and remote from location/title/description when the source left them out."""
    remote_stated = (
        F.col("location").startswith("remote-")
        | F.col("location_raw").rlike(REMOTE_PATTERN)
        | F.col("title").rlike(REMOTE_PATTERN)
        | F.coalesce(F.col("description"), F.lit("")).rlike(REMOTE_PATTERN)
    )
    return events.withColumn("seniority", F.coalesce(F.col("seniority"), _derived_seniority())).withColumn(
        "remote", F.coalesce(F.col("remote"), remote_stated)
    )


def deduplicate(events: DataFrame, delay: str) -> DataFrame:
    """Drop repeated event_ids within a watermark on the Kafka ingest time (bounded state): the cold query's dedup.

    The watermark follows ingest time, not event_time, so postings that were
    *seen* long ago (late events) are still accepted; only records whose Kafka
    timestamp falls behind the watermark could be dropped. The hot query drops the
    same repeats on the driver, against Redis (`hot_path.first_counts`).
    """
    if not events.isStreaming:  # a static batch holds all its state at once
        return events.dropDuplicates(["event_id"])
    return events.withWatermark("ingested_at", delay).dropDuplicatesWithinWatermark(["event_id"])


def dedup_key(parsed: DataFrame) -> DataFrame:
    """Valid records dedupe on event_id; rejected ones on their unique Kafka position, so they never collide."""
    position = F.concat_ws(":", F.lit("@"), "topic", "kafka_partition", "kafka_offset")
    return parsed.withColumn("event_id", F.coalesce(F.col("event_id"), position))


def _shape(frame: DataFrame, table: Table) -> DataFrame:
    schema = table_schema(table)
    return frame.select([F.col(field.name).cast(field.dataType).alias(field.name) for field in schema.fields])


def to_postings_rows(events: DataFrame, batch_id: int) -> DataFrame:
    """Enriched events -> exactly the postings table's columns, in its order (Iceberg partitions them by day)."""
    return _shape(events.withColumn("batch_id", F.lit(batch_id)), postings_table())


def to_quarantine_rows(records: DataFrame, batch_id: int) -> DataFrame:
    """Rejected records -> the quarantine table's columns: raw bytes, reason, source position."""
    return _shape(records.withColumn("batch_id", F.lit(batch_id)), quarantine_table())


def enrich(events: DataFrame) -> DataFrame:
    """Accepted events -> location, skills and derived flags."""
    return derive_flags(extract_skills(normalise_location(events)))


PROCESSING_ERROR = "processing_error"


def enrich_records(records: DataFrame) -> DataFrame:
    """A batch's records -> enriched; a record an enrichment UDF could not process (its result is null)
    joins the rejected ones with reason_code processing_error, so it lands in the quarantine instead of
    failing the batch."""
    enriched = enrich(records)
    failed = F.col("reason_code").isNull() & (F.col("location").isNull() | F.col("skills").isNull())
    return enriched.withColumns(
        {
            "reason_code": F.when(failed, F.lit(PROCESSING_ERROR)).otherwise(F.col("reason_code")),
            "reason": F.when(
                failed, F.lit(f"{PROCESSING_ERROR}: the location or skill stage failed on this record")
            ).otherwise(F.col("reason")),
        }
    )


ISO_SECONDS = "yyyy-MM-dd'T'HH:mm:ss'Z'"  # in the session time zone, which the job pins to UTC
FACT_COLUMNS = ("reason_code", "location", "skills", "remote", "seniority", "minute", "event_time")


def serving_facts(records: DataFrame) -> DataFrame:
    """A batch's records -> the small columns every serving-layer counter is counted from (FACT_COLUMNS), one
    row per record, plus the dedup key and the Kafka ingest time in epoch seconds (the hot path's dedup).

    reason_code is set on quarantined records (their other columns are unused);
    skills are sorted, which the pair counts rely on (`hot_path.summarise_facts`).
    """
    return enrich_records(records).select(
        "reason_code",
        "location",
        "skills",
        "remote",
        "seniority",
        F.floor(F.unix_timestamp("event_time") / 60).alias("minute"),
        F.date_format("event_time", ISO_SECONDS).alias("event_time"),
        "event_id",
        F.unix_timestamp("ingested_at").alias("ingested_seconds"),
    )
