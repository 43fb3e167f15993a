"""The streaming job end to end on the real local stack (Kafka, Redis, S3 emulator, spark-submit).

Ground truth is computed independently in plain Python from exactly what was
produced (contract validator, gazetteer, skill matcher) and compared with the
serving layer (`stats_json`), the Iceberg tables (data in the S3 emulator) and
`pulse lake reconcile`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from confluent_kafka import Producer

from talent_pulse.contract import Rejection, encode_event, validate_record
from talent_pulse.gazetteer import normalise_location
from talent_pulse.queries import DuckDBBackend
from talent_pulse.serving import read_progress, redis_client, stats_json
from talent_pulse.skills import default_matcher

TITLES = (
    "Senior Python Engineer",
    "Junior Java Developer",
    "Data Engineer (Spark, SQL)",
    "Go Backend Lead",
    "Frontend Developer React TypeScript",
    "ML Engineer PyTorch",
)
PLACES = ("Berlin, Germany", "London UK", "Remote - EU", "San Francisco, CA", "Bangalore", "somewhere nice")
TEXTS = (
    "We use Python, Kafka and PostgreSQL on AWS.",
    "Kubernetes, Terraform and Docker; C# a plus.",
    "Build pipelines with Apache Spark and Airflow. NoSQL experience.",
    "Rust or C++; react to incidents.",
)


def _event(n: int, now: datetime) -> dict:
    return {
        "event_id": f"evt-{n}",
        "event_time": (now - timedelta(minutes=n % 300)).isoformat(),
        "source": "board",
        "job_id": f"job-{n}",
        "title": TITLES[n % len(TITLES)],
        "company": "Acme",
        "location": PLACES[n % len(PLACES)],
        "description": TEXTS[n % len(TEXTS)],
        "schema_version": 1,
    }


def bad_records(now: datetime) -> list[bytes | None]:
    """At least ten kinds of broken input, each with its own reason."""
    base = _event(10_000, now)

    def variant(**changes) -> bytes:
        return json.dumps({**base, **changes}).encode()

    missing = {k: v for k, v in base.items() if k != "company"}
    return [
        b"{not json",
        b"\xff\xfe\x00 binary",
        b"[1, 2]",
        b"",
        variant(schema_version=9),
        json.dumps(missing).encode(),
        variant(remote="yes"),
        variant(event_time="last tuesday"),
        variant(seniority="wizard"),
        variant(salary_min=9.0, salary_max=1.0),
        b"y" * (300 * 1024),
        variant(title="   "),
        variant(event_time="2026-01-01T00:00:00"),
        None,
    ]


def produce_dataset(settings, valid: int, duplicates: int, first: int = 0) -> list[bytes | None]:
    """Postings evt-<first>... (valid, then `duplicates` of them again, then 20 late ones) and bad records."""
    now = datetime.now(UTC).replace(microsecond=0)
    values = [encode_event(_event(n, now))[1] for n in range(first, first + valid)]
    values += values[:duplicates]  # the same postings sent again
    values += [
        encode_event({**_event(n, now), "event_time": (now - timedelta(days=3)).isoformat()})[1]
        for n in range(first + valid, first + valid + 20)
    ]  # late events, days old: accepted, never dropped
    values += bad_records(now)
    producer = Producer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "enable.idempotence": True,
            "message.max.bytes": 2 * 1024 * 1024,
        }
    )
    for i, value in enumerate(values):
        producer.produce(settings.postings_topic, value=value, key=f"k{i % 7}".encode())
    assert producer.flush(60) == 0
    return values


def ground_truth(values: list[bytes | None]) -> dict:
    matcher = default_matcher()
    seen: set[str] = set()
    accepted, rejected, duplicates = 0, 0, 0
    skills: Counter = Counter()
    locations: dict[str, Counter] = defaultdict(Counter)
    for value in values:
        try:
            event = validate_record(value)
        except Rejection:
            rejected += 1
            continue
        if event["event_id"] in seen:
            duplicates += 1
            continue
        seen.add(event["event_id"])
        accepted += 1
        found = matcher.extract(event["title"] + "\n" + event["description"])
        skills.update(found)
        locations[normalise_location(event["location"]).slug].update(found)
    return {
        "postings": accepted,
        "rejected": rejected,
        "duplicates": duplicates,
        "skills": dict(skills),
        "locations": {slug: dict(counts) for slug, counts in locations.items() if counts},
        "event_ids": sorted(seen),
    }


def stream_env(settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PULSE_POSTINGS_TOPIC": settings.postings_topic,
        "PULSE_SERVING_NAMESPACE": settings.serving_namespace,
        "PULSE_LAKE_URI": settings.lake_uri,
        "PULSE_LAKE_CATALOG_URI": settings.lake_catalog_uri,
        "PULSE_CHECKPOINT_URI": settings.checkpoint_uri,
        "PULSE_TRIGGER_SECONDS": "1",
        "PULSE_COLD_TRIGGER_SECONDS": "3",
        "PULSE_MAX_OFFSETS_PER_TRIGGER": "400",
        "PULSE_COLD_MAX_OFFSETS_PER_TRIGGER": "400",
        **({"AWS_ENDPOINT_URL": settings.aws_endpoint_url} if settings.aws_endpoint_url else {}),
        **extra,
    }


def run_stream(settings, until_idle: float = 12, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "talent_pulse.cli.main", "stream", "--until-idle", str(until_idle)],
        env=stream_env(settings, **extra),
        capture_output=True,
        text=True,
        timeout=900,
    )


def lake_rows(settings, table: str, columns: list[str]) -> list[dict]:
    """The rows of an Iceberg table's current snapshot, read by DuckDB as the history queries read them."""
    backend = DuckDBBackend(settings)
    try:
        return backend.fetch_arrow(f"SELECT {', '.join(columns)} FROM {table}").to_pylist()
    finally:
        backend.close()


def run_pulse(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "talent_pulse.cli.main", *args],
        env=stream_env(settings, PULSE_REDIS_URL=settings.redis_url),
        capture_output=True,
        text=True,
        timeout=600,
    )


def assert_reconciled(settings, values: list[bytes | None]) -> None:
    truth = ground_truth(values)
    stats = stats_json(redis_client(settings), settings.serving_namespace)
    assert stats["postings"] + stats["rejected"] + stats["duplicates"] == len(values)
    assert (stats["postings"], stats["rejected"], stats["duplicates"]) == (
        truth["postings"],
        truth["rejected"],
        truth["duplicates"],
    )
    assert stats["skills"] == truth["skills"]
    assert stats["locations"] == truth["locations"]
    postings = lake_rows(settings, "postings", ["event_id"])
    assert sorted(row["event_id"] for row in postings) == truth["event_ids"]  # exactly one row each
    quarantine = lake_rows(settings, "quarantine", ["reason_code", "raw_value"])
    assert len(quarantine) == truth["rejected"]
    expected_reasons = Counter()
    for value in values:
        try:
            validate_record(value)
        except Rejection as rejection:
            expected_reasons[rejection.code] += 1
    assert Counter(row["reason_code"] for row in quarantine) == expected_reasons
    assert len(expected_reasons) >= 8
    reconcile = run_pulse(settings, "lake", "reconcile")
    assert reconcile.returncode == 0 and "no drift" in reconcile.stdout, reconcile.stdout + reconcile.stderr


def test_reconciliation_redis_and_lake_match_ground_truth(isolated_settings):
    values = produce_dataset(isolated_settings, valid=1500, duplicates=120)
    result = run_stream(isolated_settings)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "batch" in result.stdout and "lake batch" in result.stdout and "no new record for" in result.stdout
    assert_reconciled(isolated_settings, values)
    progress = read_progress(redis_client(isolated_settings), isolated_settings.serving_namespace)
    assert {"hot", "cold"} <= set(progress) and progress["hot"]["trigger_ms"] > 0  # Spark's listener, per query
    # The backlog is several hot batches long: the hot path reports catching up, and the lake's first batch
    # waited for it (it ends after every hot batch that was behind).
    lines = result.stdout.splitlines()
    catching_up = [i for i, line in enumerate(lines) if line.startswith("batch ") and "catching up" in line]
    first_lake = next(i for i, line in enumerate(lines) if line.startswith("lake batch"))
    assert catching_up and max(catching_up) < first_lake, "\n".join(lines)
    assert progress["hot"]["records_behind"] == 0

    # The run went idle, so Spark ran a batch without data to move the dedup watermark; the job starts again
    # from that batch's state and counts what came since.
    values += produce_dataset(isolated_settings, valid=60, duplicates=5, first=5000)
    result = run_stream(isolated_settings)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert_reconciled(isolated_settings, values)
