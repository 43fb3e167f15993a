"""`pulse deploy start-stream | stop-stream | outputs`: run the streaming job on EMR Serverless.

Terraform creates the EMR Serverless application but never starts job runs. These commands
read the Terraform outputs (the `stream_job` output carries everything StartJobRun needs)
and start or cancel the STREAMING job run with boto3, which honours AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

from talent_pulse.cli.main import CliError
from talent_pulse.local_stack.jars import SKILL_MATCHER_JAR

DEFAULT_INFRA_DIR = Path(__file__).resolve().parents[2] / "infra"
ACTIVE_STATES = ["SUBMITTED", "PENDING", "SCHEDULED", "RUNNING", "QUEUED"]
SUMMARY_OUTPUTS = (
    "dashboard_url",
    "msk_bootstrap_brokers_iam",
    "postings_topic",
    "redis_endpoint",
    "data_bucket",
    "glue_database",
    "athena_workgroup",
    "emr_application_id",
    "start_stream_command",
)


def register(subparsers) -> None:
    parser = subparsers.add_parser("deploy", help="operate the AWS deployment made by `make deploy`")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    start = actions.add_parser("start-stream", help="start the streaming job run (mode STREAMING) on EMR Serverless")
    _add_output_source(start)
    start.add_argument(
        "--max-failed-attempts-per-hour",
        type=int,
        default=5,
        help="EMR restarts a failed streaming run from its S3 checkpoint up to this often per hour (default 5)",
    )
    start.set_defaults(handler=start_stream)

    stop = actions.add_parser("stop-stream", help="cancel the active streaming job run(s)")
    _add_output_source(stop)
    stop.set_defaults(handler=stop_stream)

    outputs = actions.add_parser("outputs", help="print the deployment's endpoints and names")
    _add_output_source(outputs)
    outputs.add_argument("--json", action="store_true", help="print every output as JSON")
    outputs.set_defaults(handler=show_outputs)


def _add_output_source(parser) -> None:
    parser.add_argument("--infra-dir", type=Path, default=DEFAULT_INFRA_DIR, help="Terraform root module (default: infra/)")
    parser.add_argument(
        "--outputs-file", type=Path, help="read `terraform output -json` saved to this file instead of running Terraform"
    )


# --- pure ---------------------------------------------------------------------------------


def output_values(raw: dict[str, Any]) -> dict[str, Any]:
    """`terraform output -json` maps each name to {"value": ..., "type": ..., "sensitive": ...}."""
    return {name: entry["value"] for name, entry in raw.items()}


def spark_submit_parameters(job: dict[str, Any]) -> str:
    """--jars, --py-files and the settings as driver and executor environment variables."""
    parts = []
    if job["jars"]:
        parts += ["--jars", ",".join(job["jars"])]
    if job["py_files"]:
        parts += ["--py-files", ",".join(job["py_files"])]
    for name, value in sorted(job["environment"].items()):
        if any(c.isspace() for c in str(value)):
            raise ValueError(f"{name} contains whitespace, which sparkSubmitParameters cannot carry: {value!r}")
        parts += ["--conf", f"spark.emr-serverless.driverEnv.{name}={value}"]
        parts += ["--conf", f"spark.executorEnv.{name}={value}"]
    return " ".join(parts)


def start_job_run_request(job: dict[str, Any], max_failed_attempts_per_hour: int, client_token: str) -> dict[str, Any]:
    """Keyword arguments of emr-serverless StartJobRun for the streaming job."""
    return {
        "applicationId": job["application_id"],
        "executionRoleArn": job["execution_role_arn"],
        "name": job["name"],
        "clientToken": client_token,
        "mode": "STREAMING",
        "retryPolicy": {"maxFailedAttemptsPerHour": max_failed_attempts_per_hour},
        "jobDriver": {
            "sparkSubmit": {
                "entryPoint": job["entry_point"],
                "sparkSubmitParameters": spark_submit_parameters(job),
            }
        },
        "configurationOverrides": {
            "monitoringConfiguration": {
                "cloudWatchLoggingConfiguration": {
                    "enabled": True,
                    "logGroupName": job["log_group"],
                    "logStreamNamePrefix": "streaming-job",
                }
            }
        },
    }


# --- edges --------------------------------------------------------------------------------


def read_outputs(infra_dir: Path, outputs_file: Path | None) -> dict[str, Any]:
    if outputs_file is not None:
        try:
            return output_values(json.loads(outputs_file.read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CliError(f"cannot read Terraform outputs from {outputs_file}: {exc}") from exc
    binary = shutil.which("terraform") or shutil.which("tofu")
    if binary is None:
        raise CliError("neither terraform nor tofu is on PATH: install one, or pass --outputs-file")
    result = subprocess.run([binary, "output", "-json"], cwd=infra_dir, capture_output=True, text=True)
    if result.returncode != 0:
        raise CliError(f"`{Path(binary).name} output -json` failed in {infra_dir}:\n{result.stderr.strip()}")
    outputs = output_values(json.loads(result.stdout or "{}"))
    if not outputs:
        raise CliError(f"no Terraform outputs in {infra_dir}: deploy first (`make deploy`)")
    return outputs


def _stream_job(outputs: dict[str, Any]) -> dict[str, Any]:
    job = outputs.get("stream_job")
    if not job:
        raise CliError("the Terraform outputs have no `stream_job`: is this the talent-pulse infra/ module?")
    if not job["jars"]:
        raise CliError("no connector jars were uploaded: run `make artifacts`, then `make deploy` again")
    if not any(jar.rsplit("/", 1)[-1] == SKILL_MATCHER_JAR for jar in job["jars"]):
        raise CliError(f"the skill matcher jar ({SKILL_MATCHER_JAR}) was not uploaded: "
                       "run `make artifacts`, then `make deploy` again")
    return job


def _client(job: dict[str, Any]):
    import boto3

    return boto3.client("emr-serverless", region_name=job["region"])


def active_runs(client, job: dict[str, Any]) -> list[dict[str, Any]]:
    paginator = client.get_paginator("list_job_runs")
    runs = []
    for page in paginator.paginate(applicationId=job["application_id"], states=ACTIVE_STATES):
        runs += [run for run in page["jobRuns"] if run.get("name") == job["name"]]
    return runs


def start_stream(args) -> int:
    job = _stream_job(read_outputs(args.infra_dir, args.outputs_file))
    client = _client(job)
    running = active_runs(client, job)
    if running:
        ids = ", ".join(f"{run['id']} ({run['state']})" for run in running)
        raise CliError(f"the streaming job is already active: {ids}. Stop it first: pulse deploy stop-stream")
    request = start_job_run_request(job, args.max_failed_attempts_per_hour, str(uuid.uuid4()))
    response = client.start_job_run(**request)
    print(f"started streaming job run {response['jobRunId']} on application {job['application_id']}")
    print(f"checkpoint: {job['checkpoint_uri']}")
    print(f"logs:       CloudWatch log group {job['log_group']} (stream prefix streaming-job)")
    print("stop it with: pulse deploy stop-stream")
    return 0


def stop_stream(args) -> int:
    job = _stream_job(read_outputs(args.infra_dir, args.outputs_file))
    client = _client(job)
    running = active_runs(client, job)
    if not running:
        print("no streaming job run is active")
        return 0
    for run in running:
        client.cancel_job_run(applicationId=job["application_id"], jobRunId=run["id"])
        print(f"cancelled streaming job run {run['id']} (was {run['state']}); its checkpoint stays for the next start")
    return 0


def show_outputs(args) -> int:
    outputs = read_outputs(args.infra_dir, args.outputs_file)
    if args.json:
        print(json.dumps(outputs, indent=2, sort_keys=True))
        return 0
    width = max(len(name) for name in SUMMARY_OUTPUTS)
    for name in SUMMARY_OUTPUTS:
        if name in outputs:
            print(f"{name:<{width}}  {outputs[name]}")
    return 0
