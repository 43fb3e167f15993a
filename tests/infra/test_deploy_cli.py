"""`pulse deploy start-stream | stop-stream | outputs` against a moto server's EMR Serverless."""

from __future__ import annotations

import json

import boto3
import pytest

from talent_pulse.cli.deploy import spark_submit_parameters, start_job_run_request
from talent_pulse.cli.main import main
from talent_pulse.settings import Settings


JARS = ("s3://b/artifacts/jars/talent-pulse-skill-matcher.jar", "s3://b/artifacts/jars/kafka.jar",
        "s3://b/artifacts/jars/msk-iam.jar")


def _job(application_id: str = "app-1", jars=JARS) -> dict:
    return {
        "application_id": application_id,
        "execution_role_arn": "arn:aws:iam::123456789012:role/talent-pulse-emr-job",
        "name": "talent-pulse-streaming-job",
        "entry_point": "s3://b/artifacts/streaming_job.py",
        "py_files": ["s3://b/artifacts/talent_pulse.zip"],
        "jars": list(jars),
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
    assert params[params.index("--jars") + 1] == ",".join(JARS)
    assert params[params.index("--py-files") + 1] == "s3://b/artifacts/talent_pulse.zip"
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


def _advance_to_running(application_id: str, job_run_id: str) -> None:
    """moto marks job runs SUCCESS at once; a streaming run on EMR stays RUNNING until cancelled."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.emrserverless.models import emrserverless_backends

    backend = emrserverless_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    next(run for run in backend.job_runs[application_id] if run.id == job_run_id).state = "RUNNING"


def test_start_refuses_a_second_run_and_stop_cancels(deployed, capsys):
    client, application_id, outputs = deployed
    assert main(["deploy", "start-stream", "--outputs-file", str(outputs)]) == 0
    runs = [r for r in client.list_job_runs(applicationId=application_id)["jobRuns"] if r["name"] != "ad-hoc-backfill"]
    assert len(runs) == 1 and runs[0]["name"] == "talent-pulse-streaming-job"
    stored = client.get_job_run(applicationId=application_id, jobRunId=runs[0]["id"])["jobRun"]
    assert f"--jars {','.join(JARS)}" in stored["jobDriver"]["sparkSubmit"]["sparkSubmitParameters"]
    _advance_to_running(application_id, runs[0]["id"])

    assert main(["deploy", "start-stream", "--outputs-file", str(outputs)]) == 2
    assert "already active" in capsys.readouterr().err

    assert main(["deploy", "stop-stream", "--outputs-file", str(outputs)]) == 0
    state = client.get_job_run(applicationId=application_id, jobRunId=runs[0]["id"])["jobRun"]["state"]
    assert state == "CANCELLED"
    assert main(["deploy", "stop-stream", "--outputs-file", str(outputs)]) == 0
    assert "no streaming job run is active" in capsys.readouterr().out


def test_start_without_jars_says_to_build_them(deployed, capsys, tmp_path):
    _, application_id, _ = deployed
    outputs = tmp_path / "nojars.json"
    outputs.write_text(json.dumps({"stream_job": {"value": _job(application_id, jars=())}}), "utf-8")
    assert main(["deploy", "start-stream", "--outputs-file", str(outputs)]) == 2
    assert "make artifacts" in capsys.readouterr().err


def test_start_without_the_skill_matcher_jar_says_to_build_it(deployed, capsys, tmp_path):
    _, application_id, _ = deployed
    outputs = tmp_path / "connectors-only.json"
    outputs.write_text(json.dumps({"stream_job": {"value": _job(application_id, jars=JARS[1:])}}), "utf-8")
    assert main(["deploy", "start-stream", "--outputs-file", str(outputs)]) == 2
    error = capsys.readouterr().err
    assert "talent-pulse-skill-matcher.jar" in error and "make artifacts" in error


def test_outputs_prints_the_summary(deployed, capsys):
    _, _, outputs = deployed
    assert main(["deploy", "outputs", "--outputs-file", str(outputs)]) == 0
    assert "http://talent-pulse-dashboard.example" in capsys.readouterr().out


def test_outputs_without_terraform_state_explains(tmp_path, capsys):
    assert main(["deploy", "outputs", "--infra-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "make deploy" in err or "terraform" in err
