"""`pulse deploy start-stream | stop-stream | outputs`: run the streaming job on EMR Serverless.

Terraform creates the EMR Serverless application but never starts job runs. These commands
read the Terraform outputs (the `stream_job` output carries everything StartJobRun needs)
and start or cancel the STREAMING job run with boto3, which honours AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from talent_pulse.checkout import checkout_path
from talent_pulse.cli import Subparsers
from talent_pulse.cli.errors import CliError

T = TypeVar("T")
INFRA_DIR = "infra"
# CANCELLING is active: the run still holds its checkpoint until it reaches CANCELLED.
ACTIVE_STATES = ["SUBMITTED", "PENDING", "SCHEDULED", "RUNNING", "QUEUED", "CANCELLING"]
TERMINAL_STATES = {"SUCCESS", "FAILED", "CANCELLED"}
DEFAULT_STOP_TIMEOUT_SECONDS = 900
POLL_SECONDS = 10
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


def register(subparsers: Subparsers) -> None:
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

    stop = actions.add_parser(
        "stop-stream", help="cancel the active streaming job run(s) and wait until they have ended"
    )
    _add_output_source(stop)
    stop.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_STOP_TIMEOUT_SECONDS,
        help=f"seconds to wait for CANCELLED before giving up (default {DEFAULT_STOP_TIMEOUT_SECONDS})",
    )
    stop.add_argument(
        "--stop-application",
        action="store_true",
        help="then stop the EMR Serverless application too (Terraform can only update a stopped one)",
    )
    stop.set_defaults(handler=stop_stream)

    outputs = actions.add_parser("outputs", help="print the deployment's endpoints and names")
    _add_output_source(outputs)
    outputs.add_argument("--json", action="store_true", help="print every output as JSON")
    outputs.set_defaults(handler=show_outputs)


def _add_output_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--infra-dir", type=Path, help="Terraform root module (default: the checkout's infra/)")
    parser.add_argument(
        "--outputs-file",
        type=Path,
        help="read `terraform output -json` saved to this file instead of running Terraform",
    )


# --- pure ---------------------------------------------------------------------------------


def output_values(raw: dict[str, Any]) -> dict[str, Any]:
    """`terraform output -json` maps each name to {"value": ..., "type": ..., "sensitive": ...}."""
    return {name: entry["value"] for name, entry in raw.items()}


def spark_submit_parameters(job: dict[str, Any]) -> str:
    """--py-files, the Spark sizes and the settings as driver and executor environment variables.

    The jars and Python packages are in the application's runtime image, not passed here.
    """
    parts = []
    if job["py_files"]:
        parts += ["--py-files", ",".join(job["py_files"])]
    confs = dict(job["spark_conf"])
    for name, value in job["environment"].items():
        confs[f"spark.emr-serverless.driverEnv.{name}"] = value
        confs[f"spark.executorEnv.{name}"] = value
    for key, value in sorted(confs.items()):
        if any(c.isspace() for c in str(value)):
            raise ValueError(f"{key} contains whitespace, which sparkSubmitParameters cannot carry: {value!r}")
        parts += ["--conf", f"{key}={value}"]
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


def read_outputs(infra_dir: Path | None, outputs_file: Path | None) -> dict[str, Any]:
    if outputs_file is not None:
        try:
            return output_values(json.loads(outputs_file.read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CliError(f"cannot read Terraform outputs from {outputs_file}: {exc}") from exc
    binary = shutil.which("terraform") or shutil.which("tofu")
    if binary is None:
        raise CliError("neither terraform nor tofu is on PATH: install one, or pass --outputs-file")
    if infra_dir is None:
        infra_dir = checkout_path(INFRA_DIR, "the Terraform root module")
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
    if not job.get("image_uri"):
        raise CliError(
            "the EMR Serverless application has no runtime image (the job's jars and Python packages): "
            "build and push it with `make image`, then `make deploy` again"
        )
    return dict(job)


def _client(job: dict[str, Any]) -> Any:
    import boto3

    return boto3.client("emr-serverless", region_name=job["region"])


def active_runs(client: Any, job: dict[str, Any]) -> list[dict[str, Any]]:
    paginator = client.get_paginator("list_job_runs")
    runs = []
    for page in paginator.paginate(applicationId=job["application_id"], states=ACTIVE_STATES):
        runs += [run for run in page["jobRuns"] if run.get("name") == job["name"]]
    return runs


def start_stream(args: argparse.Namespace) -> int:
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


def wait_until(
    poll: Callable[[], T],
    done: Callable[[T], bool],
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    interval: float = POLL_SECONDS,
) -> tuple[T, bool]:
    """Calls poll() until done(result) or timeout seconds have passed; returns (result, finished)."""
    deadline = clock() + timeout
    while True:
        result = poll()
        if done(result):
            return result, True
        if clock() >= deadline:
            return result, False
        sleep(min(interval, max(deadline - clock(), 0)))


def cancel_and_wait(
    client: Any,
    job: dict[str, Any],
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Cancels every active run of the job and returns once all are terminal; CliError on timeout."""
    running = active_runs(client, job)
    if not running:
        print("no streaming job run is active")
        return
    for run in running:
        if run["state"] != "CANCELLING":
            client.cancel_job_run(applicationId=job["application_id"], jobRunId=run["id"])
        print(f"cancelling streaming job run {run['id']} (was {run['state']})")

    def states() -> dict[str, str]:
        return {
            run["id"]: client.get_job_run(applicationId=job["application_id"], jobRunId=run["id"])["jobRun"]["state"]
            for run in running
        }

    final, finished = wait_until(states, lambda s: set(s.values()) <= TERMINAL_STATES, timeout, sleep, clock)
    if not finished:
        pending = ", ".join(f"{run_id} ({state})" for run_id, state in final.items() if state not in TERMINAL_STATES)
        raise CliError(
            f"streaming job run(s) still not ended after {timeout:.0f} s: {pending}. Do not start a new run "
            "while one is active (two runs on one checkpoint). Wait, then run `pulse deploy stop-stream` again; "
            f"check with: aws emr-serverless get-job-run --application-id {job['application_id']} --job-run-id ID"
        )
    for run_id, state in final.items():
        print(f"streaming job run {run_id} is {state}; its checkpoint stays for the next start")


def stop_application(
    client: Any,
    job: dict[str, Any],
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Stops the application (releasing its pre-initialised workers) and waits for STOPPED."""
    application_id = job["application_id"]
    state = client.get_application(applicationId=application_id)["application"]["state"]
    if state not in ("STOPPED", "CREATED", "TERMINATED"):
        if state != "STOPPING":
            client.stop_application(applicationId=application_id)
        final, finished = wait_until(
            lambda: client.get_application(applicationId=application_id)["application"]["state"],
            lambda s: s in ("STOPPED", "TERMINATED"),
            timeout,
            sleep,
            clock,
        )
        if not finished:
            raise CliError(f"application {application_id} is still {final} after {timeout:.0f} s: wait, then retry")
    print(f"application {application_id} is stopped")


def stop_stream(args: argparse.Namespace) -> int:
    job = _stream_job(read_outputs(args.infra_dir, args.outputs_file))
    client = _client(job)
    cancel_and_wait(client, job, args.timeout)
    if args.stop_application:
        stop_application(client, job, args.timeout)
    return 0


def show_outputs(args: argparse.Namespace) -> int:
    outputs = read_outputs(args.infra_dir, args.outputs_file)
    if args.json:
        print(json.dumps(outputs, indent=2, sort_keys=True))
        return 0
    width = max(len(name) for name in SUMMARY_OUTPUTS)
    for name in SUMMARY_OUTPUTS:
        if name in outputs:
            print(f"{name:<{width}}  {outputs[name]}")
    return 0
