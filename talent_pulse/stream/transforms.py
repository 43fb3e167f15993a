"""Pure DataFrame -> DataFrame transformations of the streaming job.

Each works on a batch or a streaming DataFrame alike and is unit-tested on a
local session. Validation and location normalisation run the same Python code
as the rest of the platform (contract validator, gazetteer) over Arrow batches
in pandas UDFs, so the Spark path and the Python path cannot disagree. Skill
extraction runs in the JVM over the tables the Python matcher compiles
(talent_pulse.skills.spark); tests hold the two to the same answers.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from talent_pulse.contract import FIELDS, Rejection, parse_timestamp, validate_record
from talent_pulse.serving import PAIR_SEPARATOR
from talent_pulse.stream.schema import parsed_schema, table_schema
from talent_pulse.tables import Table, postings_table, quarantine_table

_LOCATION_SCHEMA = T.StructType([
    T.StructField("slug", T.StringType()),
    T.StructField("city", T.StringType()),
    T.StructField("country", T.StringType()),
    T.StructField("region", T.StringType()),
])

# Title words that state seniority, checked in this order (first match wins).
SENIORITY_PATTERNS = (
    ("intern", r"(?i)\b(intern|internship|trainee|apprentice)\b"),
    ("executive", r"(?i)\b(cto|cio|ceo|chief|vp|vice president|head of|director)\b"),
    ("principal", r"(?i)\b(principal|distinguished|staff)\b"),
    ("lead", r"(?i)\b(lead|manager|architect)\b"),
    ("senior", r"(?i)\b(senior|sr\.?|snr)\b|\bIII\b"),
    ("junior", r"(?i)\b(junior|jr\.?|graduate|entry[- ]level)\b"),
)
REMOTE_PATTERN = r"(?i)\b(remote|work from home|wfh|anywhere)\b"


def _validate_values(values: pd.Series) -> pd.DataFrame:
    rows = []
    for value in values:
        try:
            event = validate_record(value)
        except Rejection as rejection:
            rows.append({"reason_code": rejection.code, "reason": rejection.reason})
            continue
        event["event_time"] = parse_timestamp(event["event_time"])
        rows.append(event)
    frame = pd.DataFrame(rows, columns=[f.name for f in parsed_schema().fields])
    frame["event_time"] = pd.to_datetime(frame["event_time"], utc=True)
    # Other columns stay Python objects with None for null: Arrow's struct conversion rejects pandas
    # extension dtypes, and an all-NaN float column would not convert to a string field.
    kinds = {spec.name: spec.kind for spec in FIELDS}
    for name in frame.columns:
        if kinds.get(name) == "number":
            frame[name] = frame[name].astype("float64")
        elif kinds.get(name) != "timestamp":
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame


_validate_udf = F.pandas_udf(_validate_values, parsed_schema())


def parse_records(kafka_rows: DataFrame) -> DataFrame:
    """Kafka rows -> one row per record: raw bytes, source position, event fields, rejection reason."""
    return kafka_rows.select(
        F.col("key").alias("raw_key"),
        F.col("value").alias("raw_value"),
        "topic",
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
        F.col("timestamp").alias("ingested_at"),
        _validate_udf(F.col("value")).alias("parsed"),
    ).select("*", "parsed.*").drop("parsed")


def accepted(parsed: DataFrame) -> DataFrame:
    return parsed.where(F.col("reason_code").isNull())


def rejected(parsed: DataFrame) -> DataFrame:
    return parsed.where(F.col("reason_code").isNotNull())


def _normalise_locations(texts: pd.Series) -> pd.DataFrame:
    from talent_pulse.gazetteer import normalise_many

    locations = normalise_many(texts.tolist())
    return pd.DataFrame(
        {
            "slug": [loc.slug for loc in locations],
            "city": [loc.city for loc in locations],
            "country": [loc.country for loc in locations],
            "region": [loc.region for loc in locations],
        }
    )


_location_udf = F.pandas_udf(_normalise_locations, _LOCATION_SCHEMA)


def normalise_location(events: DataFrame) -> DataFrame:
    """Free-text `location` -> `location_raw` plus gazetteer slug (`location`), city, country, region."""
    return (
        events.withColumn("_loc", _location_udf(F.col("location")))
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
    """Drop repeated event_ids within a watermark on the Kafka ingest time (bounded state).

    The watermark follows ingest time, not event_time, so postings that were
    *seen* long ago (late events) are still accepted; only records whose Kafka
    timestamp falls behind the watermark could be dropped, and the job counts
    every record that does not come out of here (see `checkpoint.OffsetLog`).
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


ISO_SECONDS = "yyyy-MM-dd'T'HH:mm:ss'Z'"  # in the session time zone, which the job pins to UTC
_SKILL_PAIRS_SQL = (
    f"flatten(transform(skills, (a, i) -> transform(slice(skills, i + 2, size(skills)), "
    f"b -> concat(a, '{PAIR_SEPARATOR}', b))))"
)


def serving_facts(records: DataFrame) -> DataFrame:
    """A batch's records -> the small columns every serving-layer counter is counted from, one row per record.

    reason_code is set on quarantined records (their other columns are unused);
    pairs are the posting's skill pairs "a|b" with a < b (skills are sorted).
    """
    return enrich(records).select(
        "reason_code", "location", "skills", F.expr(_SKILL_PAIRS_SQL).alias("pairs"), "remote", "seniority",
        F.floor(F.unix_timestamp("event_time") / 60).alias("minute"),
        F.date_format("event_time", ISO_SECONDS).alias("event_time"),
    )
