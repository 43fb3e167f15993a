"""The hot path first: the hot query's backlog from Spark's progress, and the cold batch's bounded wait for it."""

from __future__ import annotations

import json
import threading
import time

from pyspark.sql.streaming.listener import StreamingQueryProgress

from talent_pulse.cli.stream import batch_line
from talent_pulse.stream.priority import HotPathFirst
from talent_pulse.stream.progress import records_behind


def kafka_progress(end: dict[str, int], latest: dict[str, int] | None) -> StreamingQueryProgress:
    """A batch's progress as Spark reports it for a Kafka source (offsets as JSON text per topic)."""
    source = {
        "description": "KafkaV2[Subscribe[postings]]",
        "startOffset": json.dumps({"postings": {p: 0 for p in end}}),
        "endOffset": json.dumps({"postings": end}),
        "latestOffset": json.dumps({"postings": latest}) if latest is not None else None,
        "numInputRows": sum(end.values()),
        "inputRowsPerSecond": 0.0,
        "processedRowsPerSecond": 0.0,
        "metrics": {},
    }
    return StreamingQueryProgress.fromJson(
        {
            "id": "6b8a4c1e-0000-0000-0000-000000000001",
            "runId": "6b8a4c1e-0000-0000-0000-000000000002",
            "name": "talent-pulse-hot",
            "timestamp": "2026-12-01T00:00:00.000Z",
            "batchId": 3,
            "batchDuration": 1000,
            "durationMs": {"triggerExecution": 1000},
            "eventTime": {},
            "stateOperators": [],
            "sources": [source],
            "sink": {"description": "ForeachBatchSink", "numOutputRows": -1, "metrics": {}},
            "numInputRows": sum(end.values()),
            "inputRowsPerSecond": 0.0,
            "processedRowsPerSecond": 0.0,
            "observedMetrics": {},
        }
    )


def test_records_behind_is_what_kafka_held_beyond_the_batch_end():
    progress = kafka_progress(end={"0": 400, "1": 380}, latest={"0": 1000, "1": 380})
    assert records_behind(progress) == 600


def test_a_batch_that_took_everything_is_not_behind():
    assert records_behind(kafka_progress(end={"0": 7, "1": 9}, latest={"0": 7, "1": 9})) == 0


def test_a_source_without_latest_offsets_counts_as_not_behind():
    assert records_behind(kafka_progress(end={"0": 7}, latest=None)) == 0


def test_the_cold_batch_waits_until_the_hot_path_has_caught_up():
    priority = HotPathFirst(max_wait_seconds=30)
    priority.hot_reported(50_000)
    catch_up = threading.Timer(0.6, priority.hot_reported, args=(0,))
    catch_up.start()
    waited = priority.wait_for_hot_path()
    catch_up.join()
    assert 0.5 <= waited < 10
    assert not priority.hot_is_behind()


def test_the_wait_is_bounded_when_the_hot_path_stays_behind():
    priority = HotPathFirst(max_wait_seconds=0.4)
    priority.hot_reported(1)
    started = time.monotonic()
    assert priority.wait_for_hot_path() >= 0.4
    assert time.monotonic() - started < 5


def test_before_the_hot_path_reports_the_cold_batch_waits():
    priority = HotPathFirst(max_wait_seconds=0.3)
    assert priority.hot_is_behind()
    assert priority.wait_for_hot_path() >= 0.3


def test_stopping_the_job_ends_the_wait():
    priority = HotPathFirst(max_wait_seconds=600)
    priority.hot_reported(10)
    threading.Timer(0.3, priority.stop).start()
    assert priority.wait_for_hot_path() < 10


def test_no_wait_when_the_setting_is_zero_or_the_hot_path_is_caught_up():
    assert HotPathFirst(max_wait_seconds=0).wait_for_hot_path() < 0.1
    caught_up = HotPathFirst(max_wait_seconds=600)
    caught_up.hot_reported(0)
    assert caught_up.wait_for_hot_path() < 0.1


def test_pulse_stream_lines_say_when_the_hot_path_is_behind_and_the_lake_waited():
    hot = {"batch": 4, "rows_in": 400, "accepted": 380, "quarantined": 12, "duplicates": 8, "hot_path": "applied"}
    hot["seconds"] = 0.4
    assert "catching up, 900 records still in Kafka" in batch_line({**hot, "records_behind": 900})
    assert "catching up" not in batch_line({**hot, "records_behind": 0})
    lake = {"batch": 0, "rows": 1700, "files": 40, "seconds": 9.5, "sink_steps_ms": {"hot_path_first": 6200}}
    assert "waited 6.2s for the hot path to catch up" in batch_line(lake)
    assert "waited" not in batch_line({**lake, "sink_steps_ms": {"hot_path_first": 0}})
