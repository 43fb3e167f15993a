"""`pulse stream`: run the streaming job with spark-submit against the configured stack."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from talent_pulse.checkout import checkout_path
from talent_pulse.cli import Subparsers
from talent_pulse.cli.errors import CliError
from talent_pulse.jvm_build import streaming_job_jars
from talent_pulse.settings import Settings
from talent_pulse.spark_session import LOCAL_DRIVER_CONF, spark_home
from talent_pulse.stream.progress import PROGRESS_PREFIX

ENTRY_POINT = "glue_or_emr_jobs/streaming_job.py"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("stream", help="run the streaming job (spark-submit --master local[2])")
    parser.add_argument(
        "--until-idle", type=float, metavar="SECONDS", help="stop cleanly once no new record has arrived for this long"
    )
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.set_defaults(handler=run)


def entry_point() -> Path:
    """The streaming job's spark-submit script (glue_or_emr_jobs/streaming_job.py in the checkout)."""
    return checkout_path(ENTRY_POINT, "the streaming job's entry point")


def spark_submit_command(
    settings: Settings, master: str, until_idle: float | None, script: Path | None = None
) -> list[str]:
    script = script or entry_point()
    jars = streaming_job_jars(Path(settings.cache_dir), log=lambda line: print(line, file=sys.stderr))
    conf = {"spark.driver.memory": "1g", "spark.ui.showConsoleProgress": "false", **LOCAL_DRIVER_CONF}
    command = [str(Path(spark_home()) / "bin" / "spark-submit"), "--master", master]
    for key, value in conf.items():
        command += ["--conf", f"{key}={value}"]
    command += ["--jars", ",".join(str(jar) for jar in jars), str(script)]
    if until_idle is not None:
        command += ["--until-idle", str(until_idle)]
    return command


def batch_line(batch: dict[str, Any]) -> str:
    """A finished micro-batch for people: the hot path's counts, or the cold path's files."""
    if "rows_in" in batch:
        return (
            f"batch {batch['batch']:>5}: {batch['rows_in']:>6} in, {batch['accepted']:>6} accepted, "
            f"{batch['quarantined']:>5} quarantined, {batch['duplicates']:>4} duplicates, "
            f"{batch['seconds']:.2f}s in the sink ({batch['hot_path']}){_trigger(batch)}{_behind(batch)}"
        )
    waited = batch.get("sink_steps_ms", {}).get("hot_path_first", 0) / 1000
    return (
        f"lake batch {batch['batch']:>5}: {batch['rows']:>6} rows, {batch['files']:>4} files, "
        f"{batch['seconds']:.2f}s in the sink"
        f"{f' (waited {waited:.1f}s for the hot path to catch up)' if waited >= 1 else ''}{_trigger(batch)}"
    )


def _behind(batch: dict[str, Any]) -> str:
    behind = batch.get("records_behind", 0)
    return f"; catching up, {behind} records still in Kafka" if behind else ""


def _trigger(batch: dict[str, Any]) -> str:
    return f", {batch['trigger_ms'] / 1000:.2f}s in all" if batch.get("trigger_ms") is not None else ""


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    on_s3 = [uri for uri in (settings.lake_uri, settings.checkpoint_uri) if urlparse(uri).scheme in ("s3", "s3a")]
    if on_s3 and not settings.aws_endpoint_url and args.master.startswith("local"):
        raise CliError(
            f"{on_s3[0]}: Spark on this machine reaches S3 only through an endpoint. Run `pulse local up` "
            "(the emulator), set AWS_ENDPOINT_URL, or use local folders (PULSE_LAKE_URI, "
            "PULSE_CHECKPOINT_URI); on AWS the job runs on EMR Serverless: `pulse deploy start-stream`"
        )
    log_path = Path(settings.data_dir).resolve() / "logs" / "stream-driver.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = spark_submit_command(settings, args.master, args.until_idle)
    print(f"streaming job: topic {settings.postings_topic} at {settings.kafka_bootstrap}", flush=True)
    print(
        f"  lake {settings.lake_uri} every {settings.cold_trigger_seconds:g}s; checkpoints {settings.checkpoint_uri}",
        flush=True,
    )
    print(f"  Redis {settings.redis_url} namespace {settings.serving_namespace}; Spark log {log_path}", flush=True)
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    with open(log_path, "ab") as spark_log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=spark_log, text=True, env=env)
        for line in process.stdout or ():
            if line.startswith(PROGRESS_PREFIX):
                print(batch_line(json.loads(line[len(PROGRESS_PREFIX) :])), flush=True)
            else:
                print(line, end="", flush=True)
        code = process.wait()
    if code != 0:
        raise CliError(f"the streaming job exited with code {code}; the Spark log is {log_path}")
    return 0
