"""Poison pills: records crafted to break each stage after the contract, produced among good ones.

The job must keep running, every record must end in exactly one place (postings,
quarantine, or counted as a duplicate), and the live counts must equal the
ground truth the Python definitions compute.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from confluent_kafka import Producer
from test_streaming_job import _event, ground_truth, lake_rows, run_stream

from talent_pulse.contract import MAX_DESCRIPTION_CHARS, MAX_RECORD_BYTES, Rejection, encode_event, validate_record
from talent_pulse.serving import redis_client, stats_json

pytestmark = pytest.mark.integration


def poison_pills(now: datetime) -> dict[str, bytes]:
    """One record per way a later stage could fail: time, location, skills, sizes, unicode."""

    def posting(n: int, **changes) -> bytes:
        return encode_event({**_event(n, now), **changes})[1]

    description_room = MAX_DESCRIPTION_CHARS - 10
    pills = {
        "year 9999": posting(9001, event_time="9999-12-31T23:59:59Z"),
        "year 1": posting(9002, event_time="0001-01-01T00:00:00Z"),
        "first second of the window": posting(9003, event_time="1990-01-01T00:00:00Z"),
        "offset that crosses midnight": posting(
            9004, event_time=(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S") + "-13:59"
        ),
        "dash run location": posting(9005, location="a" + "-" * 500),
        "zero-width location": posting(9006, location="Lon\u200bdon"),
        "math-bold location": posting(9007, location="𝐁𝐞𝐫𝐥𝐢𝐧, 𝐆𝐞𝐫𝐦𝐚𝐧𝐲"),
        "location of separators": posting(9008, location=",;/|()[]{}•·+" * 40),
        "Go repeated": posting(9009, description=("Go " * 20_000)[:description_room]),
        "Spark repeated": posting(9010, description=("Spark " * 10_000)[:description_room]),
        "python repeated": posting(9011, description=("python " * 8_000)[:description_room]),
        "description at the limit": posting(9012, description="Kafka " * (MAX_DESCRIPTION_CHARS // 6)),
        "NUL and controls in text": posting(9013, description="Python\x00Java\x01\x1fSQL\u202eRust"),
        "emoji and RTL": posting(9014, title="🚀 مهندس بيانات Python", description="תל אביב 🚀 Kubernetes"),
        "invisible title": posting(9015, title="\u200b\u3164"),
        "currency symbol": posting(9016, salary_currency="€", salary_min=1.0, salary_max=2.0),
        "duplicate key": posting(9017)[:-1] + b',"schema_version":2}',
        "record over the size limit": posting(9018, description="x" * 10) + b" " * MAX_RECORD_BYTES,
        "lone surrogate": posting(9019, title="x").replace(b'"title":"x"', b'"title":"\\ud800"'),
        "deep nesting": b'{"a":' * 200 + b"1" + b"}" * 200,
    }
    return pills


def test_poison_pills_among_good_records_are_quarantined_or_counted_and_reconcile(isolated_settings):
    now = datetime.now(UTC).replace(microsecond=0)
    good = [encode_event(_event(n, now))[1] for n in range(80)]
    pills = poison_pills(now)
    values = good[:40] + list(pills.values()) + good[40:]
    producer = Producer({"bootstrap.servers": isolated_settings.kafka_bootstrap, "message.max.bytes": 2 * 1024 * 1024})
    for i, value in enumerate(values):
        producer.produce(isolated_settings.postings_topic, value=value, key=f"k{i}".encode())
    assert producer.flush(60) == 0

    result = run_stream(isolated_settings, until_idle=10)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    truth = ground_truth(values)
    stats = stats_json(redis_client(isolated_settings), isolated_settings.serving_namespace)
    assert (stats["postings"], stats["rejected"], stats["duplicates"]) == (
        truth["postings"],
        truth["rejected"],
        truth["duplicates"],
    )
    assert stats["postings"] + stats["rejected"] + stats["duplicates"] == len(values)
    assert stats["skills"] == truth["skills"]
    assert stats["locations"] == truth["locations"]
    postings = lake_rows(isolated_settings, "postings", ["event_id"])
    assert sorted(row["event_id"] for row in postings) == truth["event_ids"]
    quarantine = lake_rows(isolated_settings, "quarantine", ["reason_code", "raw_value"])
    expected = Counter()
    for value in values:
        try:
            validate_record(value)
        except Rejection as rejection:
            expected[rejection.code] += 1
    assert Counter(row["reason_code"] for row in quarantine) == expected
    assert {bytes(row["raw_value"]) for row in quarantine} <= set(values)  # raw bytes kept as sent
    assert expected["bad_timestamp"] == 2 and expected["duplicate_key"] == 1 and expected["bad_value"] == 2
    assert json.loads(pills["first second of the window"])["event_id"] in truth["event_ids"]
