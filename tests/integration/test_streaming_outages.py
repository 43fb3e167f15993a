"""Outages mid-stream on a private Redis / Kafka broker (other ports, so the shared stack is untouched).

- Redis goes away while the job runs: the batch fails loudly (the job exits non-zero
  naming Redis); once Redis is back, a restart from the checkpoint reconciles exactly.
- The Kafka broker is restarted while the job runs: the job waits or fails, and after
  the restart it picks up, including records produced after the restart; reconciled exactly.
- Redis and the S3 emulator (the services that keep their data in memory) are stopped and
  started again, as `make demo-stop` then `make demo` do: the job starts over from the
  topic, which Kafka kept, and the lake and the counts come back exact.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from test_streaming_job import assert_reconciled, produce_dataset, run_stream, stream_env

from talent_pulse.lake.catalog import sqlite_path
from talent_pulse.local_stack.supervisor import KafkaBroker, RedisServer, S3Emulator
from talent_pulse.settings import Settings

pytestmark = pytest.mark.integration

PRIVATE_REDIS_PORT = 19479
PRIVATE_KAFKA_PORT = 19492
PRIVATE_S3_PORT = 19566


def _private(base: Settings, tmp_path, **overrides) -> Settings:
    shared = {
        "postings_topic": base.postings_topic,
        "serving_namespace": base.serving_namespace,
        "lake_uri": base.lake_uri,
        "lake_catalog_uri": base.lake_catalog_uri,
        "checkpoint_uri": base.checkpoint_uri,
        "kafka_bootstrap": base.kafka_bootstrap,
        "redis_url": base.redis_url,
        "data_dir": str(tmp_path / "private-stack"),
    }
    return Settings.from_env(**{**shared, **overrides})


def _env(settings: Settings) -> dict[str, str]:
    return stream_env(
        settings,
        PULSE_REDIS_URL=settings.redis_url,
        PULSE_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
        PULSE_MAX_OFFSETS_PER_TRIGGER="150",
        PULSE_COLD_MAX_OFFSETS_PER_TRIGGER="150",
    )


def _start_job(settings: Settings) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "talent_pulse.cli.main", "stream"],
        env=_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for_batches(job: subprocess.Popen, wanted: int, log: list[str], timeout: float = 420) -> None:
    deadline = time.monotonic() + timeout
    seen = 0
    for line in job.stdout:
        log.append(line)
        seen += line.startswith("batch ") and " 0 in," not in line
        if seen >= wanted:
            return
        if time.monotonic() > deadline:
            break
    pytest.fail(f"the job did not report {wanted} batches with data:\n{''.join(log)[-4000:]}")


@contextlib.contextmanager
def _job_past_its_first_batch(settings: Settings):
    """The job running and past one batch with data; stopped (with its spark-submit child) on the way out."""
    job, log = _start_job(settings), []
    try:
        _wait_for_batches(job, 1, log)
        yield job, log
    finally:
        _stop(job)


def _restart_and_reconcile(settings: Settings, values: list[bytes | None]) -> None:
    result = run_stream(settings, PULSE_REDIS_URL=settings.redis_url, PULSE_KAFKA_BOOTSTRAP=settings.kafka_bootstrap)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert_reconciled(settings, values)


def _stop(job: subprocess.Popen) -> None:
    """Stop `pulse stream` and its spark-submit child (they share a process group)."""
    if job.poll() is None:
        os.killpg(job.pid, signal.SIGTERM)
        try:
            job.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait()


@pytest.fixture
def private_redis(isolated_settings, tmp_path):
    settings = _private(isolated_settings, tmp_path, redis_url=f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0")
    server = RedisServer(settings, tmp_path / "private-stack", log=lambda line: None)
    server.start()
    yield settings, server
    server.stop()


@pytest.fixture
def private_kafka(isolated_settings, tmp_path):
    settings = _private(isolated_settings, tmp_path, kafka_bootstrap=f"127.0.0.1:{PRIVATE_KAFKA_PORT}")
    broker = KafkaBroker(settings, tmp_path / "private-stack", log=lambda line: None)
    broker.start()  # provisions the isolated topic on the private broker
    yield settings, broker
    broker.stop()


@pytest.fixture
def private_memory_services(isolated_settings, tmp_path):
    """A private Redis and S3 emulator, their start-up lines collected."""
    settings = _private(
        isolated_settings,
        tmp_path,
        redis_url=f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0",
        aws_endpoint_url=f"http://127.0.0.1:{PRIVATE_S3_PORT}",
    )
    lines: list[str] = []
    services = [cls(settings, tmp_path / "private-stack", log=lines.append) for cls in (RedisServer, S3Emulator)]
    for service in services:
        service.start()
    yield settings, services, lines
    for service in services:
        service.stop()


def test_redis_outage_fails_the_batch_loudly_then_recovers_exactly(private_redis):
    settings, server = private_redis
    values = produce_dataset(settings, valid=1200, duplicates=100)
    with _job_past_its_first_batch(settings) as (job, log):
        # SHUTDOWN SAVE: the port closes like an outage; the restart reloads the data, like a failed-over node.
        redis.Redis.from_url(settings.redis_url).shutdown(save=True)
        try:
            rest, _ = job.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the job kept going while its hot path was down:\n{''.join(log)[-4000:]}")
    text = "".join(log) + rest
    assert job.returncode != 0, text[-4000:]
    assert "streaming query failed" in text and f"127.0.0.1:{PRIVATE_REDIS_PORT}" in text, text[-4000:]
    server.stop()  # forget the pid of the server that shut itself down
    server.start()
    _restart_and_reconcile(settings, values)


def test_kafka_broker_restart_mid_run_then_recovers_exactly(private_kafka):
    settings, broker = private_kafka
    values = produce_dataset(settings, valid=1200, duplicates=100)
    with _job_past_its_first_batch(settings) as (job, _):
        broker.stop()
        time.sleep(5)
        broker.start()
        values += produce_dataset(settings, valid=0, duplicates=0)  # new records after the restart
        with contextlib.suppress(subprocess.TimeoutExpired):
            job.wait(90)  # it may fail loudly; it may also wait for the broker and carry on
    _restart_and_reconcile(settings, values)


def test_stack_restart_starts_over_from_the_topic_exactly(private_memory_services):
    settings, services, lines = private_memory_services
    values = produce_dataset(settings, valid=800, duplicates=60)
    _restart_and_reconcile(settings, values)
    catalog = sqlite_path(settings)
    assert catalog is not None and catalog.exists()

    for service in services:  # the lake, the checkpoints and the counts go; the topic stays
        service.stop()
    lines.clear()
    for service in services:
        service.start()
    assert not catalog.exists(), "a catalog naming the lost tables would fail the job's first commit"
    assert any("removed the lake catalog" in line for line in lines), lines

    _restart_and_reconcile(settings, values)
