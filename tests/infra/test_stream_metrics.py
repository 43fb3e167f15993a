"""Per-batch CloudWatch metrics (talent_pulse/stream/metrics.py) against a moto server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from talent_pulse.settings import Settings
from talent_pulse.stream.metrics import BatchMetricsPublisher, batch_metric_data, parse_dimensions

PROGRESS = {
    "batch": 7,
    "rows_in": 120,
    "accepted": 110,
    "quarantined": 5,
    "duplicates": 5,
    "seconds": 0.8,
    "query": "hot",
    "late": False,
    "source": "kafka",
}
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_each_numeric_key_becomes_a_metric_of_the_query():
    data = {d["MetricName"]: d for d in batch_metric_data(PROGRESS, {"Deployment": "tp"}, NOW)}
    assert set(data) == {"Batches", "RowsIn", "Accepted", "Quarantined", "Duplicates", "Seconds"}
    assert data["RowsIn"]["Value"] == 120.0 and data["RowsIn"]["Unit"] == "Count"
    assert data["Seconds"]["Value"] == 0.8 and data["Seconds"]["Unit"] == "Seconds"
    assert data["Accepted"]["Dimensions"] == [{"Name": "Deployment", "Value": "tp"}, {"Name": "Query", "Value": "hot"}]
    # The heartbeat is deployment-wide, so one alarm covers however many queries the job runs.
    assert data["Batches"]["Dimensions"] == [{"Name": "Deployment", "Value": "tp"}]
    assert all(d["Timestamp"] == NOW for d in data.values())


def test_progress_without_a_query_keeps_the_configured_dimensions_only():
    data = batch_metric_data({"batch": 1, "max_offsets_behind": 42}, {}, NOW)
    assert [(d["MetricName"], d["Dimensions"], d["Value"]) for d in data] == [
        ("Batches", [], 1.0),
        ("MaxOffsetsBehind", [], 42.0),
    ]


def test_dimensions_setting_is_parsed_and_bad_pairs_say_the_format():
    assert parse_dimensions(" Deployment=tp , Stage=prod") == {"Deployment": "tp", "Stage": "prod"}
    assert parse_dimensions("") == {}
    with pytest.raises(ValueError, match="Name=Value"):
        parse_dimensions("Deployment")


def test_publisher_is_off_without_a_namespace():
    class Refuses:
        def put_metric_data(self, **_):
            raise AssertionError("must not be called")

    publisher = BatchMetricsPublisher(Settings(), client=Refuses())
    assert Settings().metrics_namespace == "" and not publisher.enabled
    publisher.publish(PROGRESS)


def test_publisher_puts_the_batch_to_cloudwatch(moto_env, monkeypatch):
    for name, value in moto_env.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env(
        metrics_namespace="TalentPulse/Stream", metrics_dimensions="Deployment=tp", metrics_flush_seconds=30.0
    )
    clock = [0.0]
    publisher = BatchMetricsPublisher(settings, clock=lambda: clock[0])
    cloudwatch = boto3.client("cloudwatch")
    now = datetime.now(UTC)
    publisher.publish(PROGRESS, timestamp=now)
    assert cloudwatch.list_metrics(Namespace="TalentPulse/Stream")["Metrics"] == [], "buffered until 30 s passed"
    clock[0] = 30.0
    publisher.publish({**PROGRESS, "batch": 8, "accepted": 90}, timestamp=now)

    listed = cloudwatch.list_metrics(Namespace="TalentPulse/Stream")["Metrics"]
    assert {m["MetricName"] for m in listed} >= {"Batches", "Accepted", "Seconds"}

    def total(name, dimensions):
        stats = cloudwatch.get_metric_statistics(
            Namespace="TalentPulse/Stream",
            MetricName=name,
            Dimensions=dimensions,
            StartTime=now - timedelta(minutes=5),
            EndTime=now + timedelta(minutes=5),
            Period=600,
            Statistics=["Sum"],
        )
        return sum(point["Sum"] for point in stats["Datapoints"])

    assert total("Batches", [{"Name": "Deployment", "Value": "tp"}]) == 2
    assert total("Accepted", [{"Name": "Deployment", "Value": "tp"}, {"Name": "Query", "Value": "hot"}]) == 200


def test_flush_puts_the_rest_in_chunks_cloudwatch_accepts(moto_env, monkeypatch):
    for name, value in moto_env.items():
        monkeypatch.setenv(name, value)
    # botocore gzips large PutMetricData bodies; moto's server cannot read them (AWS can).
    monkeypatch.setenv("AWS_DISABLE_REQUEST_COMPRESSION", "true")
    settings = Settings.from_env(metrics_namespace="TalentPulse/Chunks", metrics_flush_seconds=3600.0)
    publisher = BatchMetricsPublisher(settings)
    now = datetime.now(UTC)
    for batch in range(200):  # 6 data per batch: 1,200 data, more than one put may carry
        publisher.publish({**PROGRESS, "batch": batch}, timestamp=now)
    publisher.flush()
    stats = boto3.client("cloudwatch").get_metric_statistics(
        Namespace="TalentPulse/Chunks",
        MetricName="Batches",
        Dimensions=[],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=5),
        Period=600,
        Statistics=["Sum"],
    )
    assert sum(point["Sum"] for point in stats["Datapoints"]) == 200


def test_a_failed_put_is_loud_and_keeps_the_data(moto_env, monkeypatch):
    for name, value in moto_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    settings = Settings.from_env(metrics_namespace="TalentPulse/Stream", metrics_flush_seconds=0.0)
    publisher = BatchMetricsPublisher(settings)
    with pytest.raises(Exception, match=r"(?i)connect"):
        publisher.publish(PROGRESS)
    assert len(publisher._buffer) == 6, "nothing is dropped: the next flush retries it"
