"""The rule every `pulse` command starts with: an unconfigured shell uses the running local stack."""

from __future__ import annotations

import subprocess
import sys

import pytest

from talent_pulse.local_stack.supervisor import local_environment
from talent_pulse.settings import ENDPOINT_SETTINGS, Settings, resolve_environment

LOCAL_ENV = local_environment(Settings.from_env({}))


def _resolve(environ, missing=(), credentials=False):
    probed = []

    def missing_services():
        probed.append(True)
        return list(missing)

    return resolve_environment(environ, LOCAL_ENV, missing_services, lambda: credentials), probed


def test_an_unconfigured_shell_takes_the_local_stack_values():
    resolution, _ = _resolve({"PULSE_SERVING_NAMESPACE": "mine"})
    assert resolution.added == LOCAL_ENV and not resolution.problem
    assert resolution.added["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"


def test_variables_already_set_are_kept():
    resolution, _ = _resolve({"AWS_ACCESS_KEY_ID": "real", "AWS_REGION": "eu-west-1"})
    assert "AWS_ACCESS_KEY_ID" not in resolution.added and "AWS_REGION" not in resolution.added
    assert resolution.added["AWS_ENDPOINT_URL"] == LOCAL_ENV["AWS_ENDPOINT_URL"]


@pytest.mark.parametrize("name", ENDPOINT_SETTINGS)
def test_a_configured_endpoint_is_never_second_guessed_nor_probed(name):
    resolution, probed = _resolve({name: "somewhere:1"}, missing=["Kafka 127.0.0.1:9092"])
    assert resolution.added == {} and resolution.problem == "" and probed == []


def test_aws_credentials_without_a_local_stack_mean_aws():
    resolution, _ = _resolve({}, missing=["Kafka 127.0.0.1:9092"], credentials=True)
    assert resolution.added == {} and resolution.problem == ""


def test_nothing_reachable_says_what_to_run_in_one_line():
    resolution, _ = _resolve({}, missing=["Kafka 127.0.0.1:9092", "Redis 127.0.0.1:6379"])
    assert resolution.added == {}
    assert "\n" not in resolution.problem
    assert "Kafka 127.0.0.1:9092, Redis 127.0.0.1:6379" in resolution.problem
    assert "run `pulse local up`" in resolution.problem


def _pulse(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "talent_pulse.cli.main", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        timeout=120,
    )


def test_a_bad_value_is_one_line_without_a_traceback():
    result = _pulse("stats", env={"PULSE_TOPIC_PARTITIONS": "many"})
    assert result.returncode == 2
    assert result.stderr.strip() == "error: PULSE_TOPIC_PARTITIONS='many' is not a valid int"


def test_stream_against_s3_without_an_endpoint_says_what_to_do():
    # Kafka and Redis are named (so nothing is adopted), S3 has no endpoint: Spark could not reach s3://.
    result = _pulse("stream", env={"PULSE_KAFKA_BOOTSTRAP": "127.0.0.1:9", "PULSE_REDIS_URL": "redis://127.0.0.1:9"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "error: s3://talent-pulse-local/lake: Spark on this machine "
        "reaches S3 only through an endpoint. Run `pulse local up`"
    )


def test_in_process_callers_get_their_environment_back(monkeypatch):
    from talent_pulse.cli.main import resolved_environment

    environ = {"PATH": "/usr/bin"}
    monkeypatch.setattr("talent_pulse.cli.main._silent_services", lambda settings: [])
    with resolved_environment(environ) as problem:
        assert problem == "" and environ["AWS_ENDPOINT_URL"] == LOCAL_ENV["AWS_ENDPOINT_URL"]
    assert environ == {"PATH": "/usr/bin"}
