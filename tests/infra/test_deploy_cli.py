"""`pulse deploy start-stream | stop-stream | outputs` against a moto server's EMR Serverless."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from talent_pulse.cli.deploy import cancel_and_wait, spark_submit_parameters, start_job_run_request
from talent_pulse.cli.errors import CliError
from talent_pulse.cli.main import main
from talent_pulse.settings import Settings

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/talent-pulse/job-runtime:rt-0123456789ab"
SPARK_CONF = {
    "spark.driver.cores": "2",
    "spark.driver.memory": "7g",
    "spark.executor.cores": "2",
    "spark.executor.memory": "7g",
    "spark.dynamicAllocation.minExecutors": "2",
}


def _job(application_id: str = "app-1", image_uri: str = IMAGE) -> dict:
    return {
        "application_id": application_id,
        "execution_role_arn": "arn:aws:iam::123456789012:role/talent-pulse-emr-job",
        "name": "talent-pulse-streaming-job",
        "entry_point": "s3://b/artifacts/streaming_job.py",
        "py_files": ["s3://b/artifacts/talent_pulse.zip"],
        "image_uri": image_uri,
        "spark_conf": dict(SPARK_CONF),
        "environment": {
            "PULSE_KAFKA_BOOTSTRAP": "b-1.msk:9098,b-2.msk:9098",
            "PULSE_KAFKA_AUTH": "iam",
            "PULSE_CHECKPOINT_URI": "s3://b/checkpoints/streaming-job",
        },
        "log_group": "/aws/emr-serverless/talent-pulse",
        "checkpoint_uri": "s3://b/checkpoints/streaming-job",
        "region": "us-east-1",
    }


def test_request_is_a_streaming_run_with_retries_artifacts_and_settings():
    request = start_job_run_request(_job(), max_failed_attempts_per_hour=3, client_token="t-1")
    assert request["mode"] == "STREAMING"
    assert request["retryPolicy"] == {"maxFailedAttemptsPerHour": 3}
    submit = request["jobDriver"]["sparkSubmit"]
    assert submit["entryPoint"] == "s3://b/artifacts/streaming_job.py"
    params = submit["sparkSubmitParameters"].split()
    assert "--jars" not in params, "the jars are baked into the runtime image"
    assert params[params.index("--py-files") + 1] == "s3://b/artifacts/talent_pulse.zip"
    for key, value in SPARK_CONF.items():
        assert f"{key}={value}" in params
    for name, value in _job()["environment"].items():
        assert name in Settings.env_names()
        assert f"spark.emr-serverless.driverEnv.{name}={value}" in params
        assert f"spark.executorEnv.{name}={value}" in params
    logging = request["configurationOverrides"]["monitoringConfiguration"]["cloudWatchLoggingConfiguration"]
    assert logging["logGroupName"] == "/aws/emr-serverless/talent-pulse" and logging["enabled"]


def test_whitespace_in_a_setting_is_refused():
    job = _job()
    job["environment"]["PULSE_LAKE_URI"] = "s3://b/my lake"
    with pytest.raises(ValueError, match="PULSE_LAKE_URI"):
        spark_submit_parameters(job)


@pytest.fixture()
def deployed(moto_env, monkeypatch, tmp_path):
    """An EMR Serverless application in moto and the Terraform outputs file pointing at it."""
    for name, value in moto_env.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("emr-serverless")
    # moto validates release labels against the emr-x.y.z pattern only.
    app = client.create_application(name="talent-pulse", releaseLabel="emr-7.0.0", type="SPARK")
    # An unrelated run that must not count as ours. (It also works around moto answering
    # ListJobRuns with ResourceNotFound for an application that never had a run.)
    client.start_job_run(
        applicationId=app["applicationId"],
        executionRoleArn=_job()["execution_role_arn"],
        name="ad-hoc-backfill",
        clientToken="other",
        jobDriver={"sparkSubmit": {"entryPoint": "s3://b/other.py"}},
    )
    outputs = {
        "stream_job": {"value": _job(app["applicationId"]), "type": "object", "sensitive": False},
        "dashboard_url": {"value": "http://talent-pulse-dashboard.example", "type": "string", "sensitive": False},
    }
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs), "utf-8")
    return client, app["applicationId"], path


def _set_state(application_id: str, job_run_id: str, state: str) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.emrserverless.models import emrserverless_backends

    backend = emrserverless_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    next(run for run in backend.job_runs[application_id] if run.id == job_run_id).state = state


def _advance_to_running(application_id: str, job_run_id: str) -> None:
    """moto marks job runs SUCCESS at once; a streaming run on EMR stays RUNNING until cancelled."""
    _set_state(application_id, job_run_id, "RUNNING")


def test_start_refuses_a_second_run_and_stop_cancels(deployed, capsys):
    client, application_id, outputs = deployed
    assert main(["deploy", "start-stream", "--outputs-file", str(outputs)]) == 0
    runs = [r for r in client.list_job_runs(applicationId=application_id)["jobRuns"] if r["name"] != "ad-hoc-backfill"]
    assert len(runs) == 1 and runs[0]["name"] == "talent-pulse-streaming-job"
    stored = client.get_job_run(applicationId=application_id, jobRunId=runs[0]["id"])["jobRun"]
    assert "spark.executor.memory=7g" in stored["jobDriver"]["sparkSubmit"]["sparkSubmitParameters"]
    _advance_to_running(application_id, runs[0]["id"])

    assert main(["deploy", "start-stream", "--outputs-file", str(outputs)]) == 2
    assert "already active" in capsys.readouterr().err

    assert main(["deploy", "stop-stream", "--outputs-file", str(outputs)]) == 0
    state = client.get_job_run(applicationId=application_id, jobRunId=runs[0]["id"])["jobRun"]["state"]
    assert state == "CANCELLED"
    assert main(["deploy", "stop-stream", "--outputs-file", str(outputs)]) == 0
    assert "no streaming job run is active" in capsys.readouterr().out


def test_start_without_a_runtime_image_says_to_build_it(deployed, capsys, tmp_path):
    _, application_id, _ = deployed
    outputs = tmp_path / "noimage.json"
    outputs.write_text(json.dumps({"stream_job": {"value": _job(application_id, image_uri="")}}), "utf-8")
    assert main(["deploy", "start-stream", "--outputs-file", str(outputs)]) == 2
    assert "make image" in capsys.readouterr().err


def test_a_cancelling_run_still_blocks_a_new_start(deployed, capsys):
    client, application_id, outputs = deployed
    assert main(["deploy", "start-stream", "--outputs-file", str(outputs)]) == 0
    run_id = next(
        r["id"]
        for r in client.list_job_runs(applicationId=application_id)["jobRuns"]
        if r["name"] == "talent-pulse-streaming-job"
    )
    _set_state(application_id, run_id, "CANCELLING")
    assert main(["deploy", "start-stream", "--outputs-file", str(outputs)]) == 2
    assert "CANCELLING" in capsys.readouterr().err


def test_stop_can_also_stop_the_application(deployed, capsys):
    client, application_id, outputs = deployed
    client.start_application(applicationId=application_id)
    assert client.get_application(applicationId=application_id)["application"]["state"] == "STARTED"
    assert main(["deploy", "stop-stream", "--stop-application", "--outputs-file", str(outputs)]) == 0
    assert client.get_application(applicationId=application_id)["application"]["state"] == "STOPPED"
    assert f"application {application_id} is stopped" in capsys.readouterr().out


# --- waiting for CANCELLED, with a stubbed client: EMR's asynchronous cancel, step by step ---


class FakeClock:
    """time.monotonic/time.sleep stand-ins: sleeping advances the clock."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


def _stubbed(states_after_cancel: list[str]):
    client = boto3.client("emr-serverless", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    job = _job("00fakeapp")
    run = {
        "applicationId": "00fakeapp",
        "id": "run-1",
        "name": job["name"],
        "arn": "arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fakeapp/jobruns/run-1",
        "createdBy": "arn:aws:iam::123456789012:user/deployer",
        "createdAt": "2026-11-30T00:00:00Z",
        "updatedAt": "2026-11-30T00:00:00Z",
        "executionRole": job["execution_role_arn"],
        "state": "RUNNING",
        "stateDetails": "streaming",
        "releaseLabel": "emr-spark-8.0.0",
    }
    stubber.add_response("list_job_runs", {"jobRuns": [run]}, {"applicationId": "00fakeapp", "states": ANY_STATES})
    stubber.add_response(
        "cancel_job_run",
        {"applicationId": "00fakeapp", "jobRunId": "run-1"},
        {"applicationId": "00fakeapp", "jobRunId": "run-1"},
    )
    for state in states_after_cancel:
        detail = {key: value for key, value in run.items() if key != "id"}
        detail.update(jobRunId="run-1", state=state, jobDriver={"sparkSubmit": {"entryPoint": "e"}})
        stubber.add_response("get_job_run", {"jobRun": detail}, {"applicationId": "00fakeapp", "jobRunId": "run-1"})
    return client, stubber, job


ANY_STATES = ["SUBMITTED", "PENDING", "SCHEDULED", "RUNNING", "QUEUED", "CANCELLING"]


def test_stop_waits_while_the_run_is_cancelling(capsys):
    client, stubber, job = _stubbed(["CANCELLING", "CANCELLING", "CANCELLED"])
    clock = FakeClock()
    with stubber:
        cancel_and_wait(client, job, timeout=600, sleep=clock.sleep, clock=clock)
    stubber.assert_no_pending_responses()
    assert len(clock.slept) == 2, "polled until CANCELLED, sleeping between polls"
    assert "run-1 is CANCELLED" in capsys.readouterr().out


def test_stop_gives_up_after_the_timeout_and_says_not_to_start(capsys):
    client, stubber, job = _stubbed(["CANCELLING"] * 4)
    clock = FakeClock()
    with stubber, pytest.raises(CliError) as raised:
        cancel_and_wait(client, job, timeout=25, sleep=clock.sleep, clock=clock)
    message = str(raised.value)
    assert "run-1 (CANCELLING)" in message and "after 25 s" in message and "Do not start" in message
    assert clock.now == 25


def test_outputs_prints_the_summary(deployed, capsys):
    _, _, outputs = deployed
    assert main(["deploy", "outputs", "--outputs-file", str(outputs)]) == 0
    assert "http://talent-pulse-dashboard.example" in capsys.readouterr().out


def test_outputs_without_terraform_state_explains(tmp_path, capsys):
    assert main(["deploy", "outputs", "--infra-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "make deploy" in err or "terraform" in err
