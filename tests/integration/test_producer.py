"""Produce -> consume against the real local Kafka: chaos counts, delivery reports, truth, raw lines."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from itertools import islice

import pytest
from confluent_kafka import Consumer

from talent_pulse.chaos import ChaosInjector
from talent_pulse.contract import Rejection, validate_record
from talent_pulse.producer import PostingProducer, publish_records
from talent_pulse.sources import SyntheticSource

pytestmark = pytest.mark.integration


def consume_all(settings, expected: int, timeout_s: float = 60.0) -> list:
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"check-{settings.postings_topic}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
        }
    )
    consumer.subscribe([settings.postings_topic])
    messages = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(messages) < expected and time.monotonic() < deadline:
            for message in consumer.consume(1000, timeout=1.0):
                assert message.error() is None, message.error()
                messages.append(message)
        for message in consumer.consume(1000, timeout=1.0):  # nothing beyond what was produced
            messages.append(message)
    finally:
        consumer.close()
    return messages


def verdict(value: bytes | None) -> str:
    try:
        validate_record(value)
    except Rejection as rejection:
        return rejection.code
    return "valid"


def test_chaos_counts_truth_and_delivery_reports_match_what_the_broker_holds(isolated_settings):
    producer = PostingProducer(isolated_settings)
    records = ChaosInjector(0.15, seed=21).records(SyntheticSource(seed=21).postings())
    summary = publish_records(producer, islice(records, 3000))
    assert (summary["sent"], summary["delivered"], summary["failed"]) == (3000, 3000, 0)

    messages = consume_all(isolated_settings, 3000)
    assert len(messages) == 3000
    verdicts = Counter(verdict(m.value()) for m in messages)
    assert {code: n for code, n in verdicts.items() if code != "valid"} == summary["expected_rejections"]
    assert verdicts["valid"] == 3000 - summary["expected_rejected"]
    valid_ids = {validate_record(m.value())["event_id"] for m in messages if verdict(m.value()) == "valid"}
    assert len(valid_ids) == summary["new_valid_postings"]  # duplicates count once
    assert summary["by_kind"]["duplicate"] > 0 and summary["by_kind"]["late_event"] > 0
    for message in messages:
        if verdict(message.value()) == "valid":
            assert message.key().decode() == validate_record(message.value())["event_id"]


def test_the_cli_prints_a_summary_and_writes_truth_for_every_new_valid_posting(isolated_settings, tmp_path):
    truth_file = tmp_path / "truth.jsonl"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "talent_pulse.cli.main",
            "produce",
            "--count",
            "800",
            "--chaos",
            "0.1",
            "--seed",
            "3",
            "--topic",
            isolated_settings.postings_topic,
            "--truth-out",
            str(truth_file),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["delivered"] == summary["sent"] == 800 and summary["source"] == "synthetic"

    truth = [json.loads(line) for line in truth_file.read_text().splitlines()]
    messages = consume_all(isolated_settings, 800)
    valid = {}
    for message in messages:
        if verdict(message.value()) == "valid":
            event = validate_record(message.value())
            valid[event["event_id"]] = event
    assert {t["event_id"] for t in truth} == set(valid) and len(truth) == len(valid)
    assert all(set(t) == {"event_id", "skills", "location_slug"} for t in truth)


def test_raw_lines_are_published_byte_for_byte_keyed_by_event_id_when_they_parse(isolated_settings, tmp_path):
    lines = [
        b'{"event_id":"raw-1","title":"no other fields"}',
        b"not json at all",
        b'{"event_id": 5}',
        b"\xff\xfe broken utf-8",
        b"[1, 2, 3]",
        b'{"event_id":"raw-2"}',
    ]
    source = tmp_path / "raw.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "talent_pulse.cli.main",
            "produce",
            "--from-file",
            str(source),
            "--raw",
            "--topic",
            isolated_settings.postings_topic,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["delivered"] == len(lines)
    received = {m.value(): m.key() for m in consume_all(isolated_settings, len(lines))}
    assert set(received) == set(lines)
    assert received[lines[0]] == b"raw-1" and received[lines[5]] == b"raw-2"
    assert all(received[line] is None for line in lines[1:5])


def test_undeliverable_records_are_counted_as_failed_never_dropped(isolated_settings):
    producer = PostingProducer(
        isolated_settings,
        topic=f"{isolated_settings.postings_topic}-missing",
        config_overrides={"message.timeout.ms": 3000},
    )
    for index in range(5):
        producer.send(f"k{index}".encode(), b"{}")
    stats = producer.flush(30)
    assert (stats.sent, stats.delivered, stats.total_failed) == (5, 0, 5)
    assert len(stats.errors) == 5 and all(error.startswith(producer.topic) for error in stats.errors)
