"""Small cold-path lakes for history-query tests: the Iceberg tables, written by Spark.

The tables are created from talent_pulse/data/tables.json by the same code as the
streaming job's, so a sample lake has exactly the shape the job writes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from talent_pulse.lake.catalog import ensure_tables, prepare_local_catalog, spark_conf, table_name
from talent_pulse.settings import Settings
from talent_pulse.stream.schema import table_schema
from talent_pulse.tables import Table, postings_table, quarantine_table


def posting(
    event_id: str,
    day: date,
    location: str,
    skills: list[str],
    *,
    hour: int = 12,
    remote: bool = False,
    region: str = "Europe",
    salary: tuple[float, float] | None = None,
    title: str = "Engineer",
) -> dict:
    moment = datetime.combine(day, time(hour), tzinfo=UTC)
    return {
        "event_id": event_id,
        "event_time": moment,
        "source": "sample",
        "job_id": event_id,
        "title": title,
        "company": "Acme",
        "location_raw": location,
        "city": location.title(),
        "country": "DE",
        "region": region,
        "description": " ".join(skills),
        "remote": remote,
        "seniority": "mid",
        "salary_min": salary[0] if salary else None,
        "salary_max": salary[1] if salary else None,
        "salary_currency": "EUR" if salary else None,
        "skills": skills,
        "kafka_partition": 0,
        "kafka_offset": 0,
        "batch_id": 1,
        "ingested_at": moment,
        "location": location,
    }


def quarantined(reason_code: str, day: date, raw_value: bytes, offset: int) -> dict:
    moment = datetime.combine(day, time(9), tzinfo=UTC) + timedelta(seconds=offset)
    return {
        "reason_code": reason_code,
        "reason": f"{reason_code}: sample",
        "raw_key": b"k",
        "raw_value": raw_value,
        "topic": "job-postings",
        "kafka_partition": 0,
        "kafka_offset": offset,
        "ingested_at": moment,
        "batch_id": 1,
    }


def register_catalog(spark, settings: Settings) -> str:
    """Registers the lake catalog of `settings` in the shared test session under a name of its own; returns it."""
    name = "lake_" + uuid.uuid4().hex[:10]
    prepare_local_catalog(settings)
    for key, value in spark_conf(settings, name).items():
        if key != "spark.sql.extensions":  # a static setting, already set by the session fixture
            spark.conf.set(key, value)
    ensure_tables(spark, settings, name)
    return name


def append_rows(spark, settings: Settings, catalog: str, table: Table, rows: list[dict]) -> None:
    """Rows -> one Iceberg commit to the table (no commit for no rows)."""
    if rows:
        frame = spark.createDataFrame([tuple(row[c] for c in table.column_names) for row in rows], table_schema(table))
        frame.writeTo(table_name(settings, table, catalog)).append()


def write_lake(spark, settings: Settings, catalog: str, postings: list[dict], quarantine: list[dict]) -> None:
    append_rows(spark, settings, catalog, postings_table(), postings)
    append_rows(spark, settings, catalog, quarantine_table(), quarantine)


def sample_lake_rows(today: date) -> tuple[list[dict], list[dict]]:
    """Three weeks of postings in two cities plus a few quarantined records; the expected
    answers of the tests are computed from these rows, not written down."""
    postings = []
    for days_ago in range(21):
        day = today - timedelta(days=days_ago)
        recent = days_ago < 7
        for n in range(4 if recent else 2):
            skills = ["Python", "SQL"] + (["Rust"] if recent else ["Java"])
            postings.append(
                posting(
                    f"b-{days_ago}-{n}", day, "berlin", skills, hour=8 + n, remote=n == 0, salary=(60000.0, 80000.0)
                )
            )
        postings.append(
            posting(f"l-{days_ago}", day, "london", ["Java", "SQL"], region="Europe", salary=(70000.0, 90000.0))
        )
        # JavaScript is not Java: a substring match would count these as Java postings.
        postings.append(posting(f"j-{days_ago}", day, "london", ["JavaScript"], region="Europe"))
    quarantine = [
        quarantined("malformed_json", today, b"{not json", 1),
        quarantined("malformed_json", today, b"{also not", 2),
        quarantined("not_utf8", today - timedelta(days=1), b"\xff\xfe bad bytes", 3),
    ]
    return postings, quarantine
