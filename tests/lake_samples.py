"""Small cold-path lakes for history-query tests: Hive-layout Parquet written with pyarrow.

The columns come from talent_pulse/data/tables.json, so a sample lake has exactly
the shape the streaming job writes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from talent_pulse.tables import Table, postings_table, quarantine_table

ARROW_TYPES = {
    "string": pa.string(), "timestamp": pa.timestamp("us", tz="UTC"), "boolean": pa.bool_(),
    "double": pa.float64(), "int": pa.int32(), "bigint": pa.int64(), "binary": pa.binary(),
    "array<string>": pa.list_(pa.string()),
}


def posting(event_id: str, day: date, location: str, skills: list[str], *, hour: int = 12, remote: bool = False,
            region: str = "Europe", salary: tuple[float, float] | None = None, title: str = "Engineer") -> dict:
    moment = datetime.combine(day, time(hour), tzinfo=timezone.utc)
    return {
        "event_id": event_id, "event_time": moment, "source": "sample", "job_id": event_id, "title": title,
        "company": "Acme", "location_raw": location, "city": location.title(), "country": "DE",
        "region": region, "description": " ".join(skills), "remote": remote, "seniority": "mid",
        "salary_min": salary[0] if salary else None, "salary_max": salary[1] if salary else None,
        "salary_currency": "EUR" if salary else None, "skills": skills, "kafka_partition": 0,
        "kafka_offset": 0, "batch_id": 1, "ingested_at": moment,
        "dt": day.isoformat(), "location": location,
    }


def quarantined(reason_code: str, day: date, raw_value: bytes, offset: int) -> dict:
    moment = datetime.combine(day, time(9), tzinfo=timezone.utc) + timedelta(seconds=offset)
    return {
        "reason_code": reason_code, "reason": f"{reason_code}: sample", "raw_key": b"k", "raw_value": raw_value,
        "topic": "job-postings", "kafka_partition": 0, "kafka_offset": offset, "ingested_at": moment,
        "batch_id": 1, "dt": day.isoformat(),
    }


def write_table(root: Path, table: Table, rows: list[dict]) -> list[Path]:
    """Rows (with partition values) → one Parquet file per partition under root/<prefix>/k=v/…"""
    schema = pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns])
    partitions: dict[tuple, list[dict]] = {}
    for row in rows:
        partitions.setdefault(tuple(row[k] for k in table.partition_names), []).append(row)
    written = []
    for values, members in sorted(partitions.items()):
        folder = root / table.prefix
        for key, value in zip(table.partition_names, values):
            folder = folder / f"{key}={value}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "part-00000.parquet"
        pq.write_table(pa.Table.from_pylist(members, schema=schema), path)
        written.append(path)
    return written


def write_lake(root: Path, postings: list[dict], quarantine: list[dict]) -> list[Path]:
    return write_table(root, postings_table(), postings) + write_table(root, quarantine_table(), quarantine)


def upload_lake(local_root: Path, s3_client, lake_uri: str) -> None:
    bucket, _, prefix = lake_uri.removeprefix("s3://").partition("/")
    for path in local_root.rglob("*.parquet"):
        s3_client.upload_file(str(path), bucket, f"{prefix.rstrip('/')}/{path.relative_to(local_root).as_posix()}")


def sample_lake_rows(today: date) -> tuple[list[dict], list[dict]]:
    """Three weeks of postings in two cities plus a few quarantined records; the expected
    answers of the tests are computed from these rows, not written down."""
    postings = []
    for days_ago in range(21):
        day = today - timedelta(days=days_ago)
        recent = days_ago < 7
        for n in range(4 if recent else 2):
            skills = ["Python", "SQL"] + (["Rust"] if recent else ["Java"])
            postings.append(posting(f"b-{days_ago}-{n}", day, "berlin", skills, hour=8 + n,
                                    remote=n == 0, salary=(60000.0, 80000.0)))
        postings.append(posting(f"l-{days_ago}", day, "london", ["Java", "SQL"], region="Europe",
                                salary=(70000.0, 90000.0)))
        # JavaScript is not Java: a substring match would count these as Java postings.
        postings.append(posting(f"j-{days_ago}", day, "london", ["JavaScript"], region="Europe"))
    quarantine = [
        quarantined("malformed_json", today, b"{not json", 1),
        quarantined("malformed_json", today, b"{also not", 2),
        quarantined("not_utf8", today - timedelta(days=1), b"\xff\xfe bad bytes", 3),
    ]
    return postings, quarantine
