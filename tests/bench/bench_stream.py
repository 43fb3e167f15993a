"""The streaming pipeline end to end on the local stack: ours beside the reference design, same run.

For each design, on a fresh topic, namespace and lake/checkpoint prefix:

1. backlog: N synthetic ~1 KB postings are produced, then the job is started
   (spark-submit, local[2], the same jars and session settings) and drains
   them in micro-batches of --batch-size records: sustained postings/s (records
   of every batch after the first over the wall-clock time from the end of the
   first to the end of the last) and micro-batch p50/p95 (Spark's trigger time
   where the listener reports it, else the sink's own time);
2. live, once per --rates entry: postings are produced at that rate for
   --seconds while the job runs; every one names Python, so each adds 1 to the
   design's Python count in Redis. The k-th posting is visible once that count
   has grown by k: its latency is the first poll (every 20 ms) that sees it,
   minus the moment it was sent;
3. peak RSS of the job's whole process tree (JVM, Python driver, Python workers), sampled every 0.5 s.

Ours: `glue_or_emr_jobs/streaming_job.py`: the hot query (validation, dedup, the
full taxonomy, fenced Redis deltas, 1 s trigger) and the cold query (lake and
quarantine on the S3 emulator, its own cadence) in one job. Reference:
tests/bench/reference_stream_job.py (Python UDF substring match over 10 skills,
`complete` output mode, collect() + SET of totals). Each design's topic,
Redis keys and S3 prefix are removed at the end.

    python tests/bench/bench_stream.py [--postings 200000] [--batch-size 50000] [--rates 2000,50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient, NewTopic

from talent_pulse.cli.stream import entry_point, spark_submit_command
from talent_pulse.contract import encode_event
from talent_pulse.generator import PostingGenerator, iso_utc
from talent_pulse.lake.catalog import sqlite_files
from talent_pulse.producer import PostingProducer
from talent_pulse.serving import Keys, redis_client
from talent_pulse.settings import Settings
from talent_pulse.skills import default_matcher
from talent_pulse.stream.progress import PROGRESS_PREFIX

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]  # tests/bench: the reference job; tests/: serving_support
from reference_stream_job import reference_key  # noqa: E402
from serving_support import delete_namespace  # noqa: E402

LIVE_TITLE = "Python Developer"
LIVE_SENTENCE = " We build our services in Python 3.12."
# Generating a posting costs ~0.3 ms of Python: at 2,000/s two-thirds of a core of the two both pipelines are
# measured on. The live phases send these many bodies, generated before the phase, each as a new posting.
LIVE_BODIES = 2_000


@dataclass
class Run:
    design: str
    batches: list[dict] = field(default_factory=list)
    batch_ends: list[float] = field(default_factory=list)
    latencies: dict[float, list[float]] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    live_sent: dict[float, int] = field(default_factory=dict)
    started: float = 0.0
    lake_rows: list[tuple[float, int]] = field(default_factory=list)  # (when, rows) of each cold batch
    lake_caught_up: float | None = None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
        rss[int(entry)] = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total / 1024


class Job:
    """One design's streaming job under spark-submit: progress lines, peak RSS, stop."""

    def __init__(self, script: Path, settings: Settings, env: dict[str, str], run: Run):
        command = spark_submit_command(settings, "local[2]", None, script)
        self.run = run
        log_path = Path(settings.data_dir) / "logs" / f"bench-stream-{run.design}.log"
        self.log = open(log_path, "w")  # noqa: SIM115 — lives as long as the job; stop() closes it
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=self.log, text=True, start_new_session=True
        )
        self.done = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.log.write(line)
            if line.startswith(PROGRESS_PREFIX):
                report = json.loads(line[len(PROGRESS_PREFIX) :])
                if "rows_in" in report:  # the hot path's batches (the cold path reports files)
                    self.run.batches.append(report)
                    self.run.batch_ends.append(time.monotonic())
                elif "rows" in report:
                    self.run.lake_rows.append((time.monotonic(), report["rows"]))

    def _sample(self) -> None:
        while not self.done.wait(0.5):
            self.run.peak_rss_mb = max(self.run.peak_rss_mb, tree_rss_mb(self.process.pid))

    def records_done(self) -> int:
        return sum(batch["rows_in"] for batch in self.run.batches)

    def wait_for_records(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.records_done() < count:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"{self.run.design}: the job exited with {self.process.returncode}; see {self.log.name}"
                )
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"{self.run.design}: {self.records_done()} of {count} records after {timeout:.0f}s; "
                    f"see {self.log.name}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        self.done.set()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def live_bodies(count: int) -> list[dict[str, Any]]:
    generator = PostingGenerator(seed=99)
    now = datetime.now(UTC)
    bodies = [generator.generate(now).event for _ in range(count)]
    return [{**body, "title": LIVE_TITLE, "description": body["description"] + LIVE_SENTENCE} for body in bodies]


def live_event(body: dict[str, Any]) -> tuple[bytes, bytes]:
    # A new posting every time: a repeated event id would rightly not count in ours (it drops duplicates,
    # unlike the reference).
    return encode_event({**body, "event_id": str(uuid.uuid4()), "event_time": iso_utc(datetime.now(UTC))})


def send_and_watch(settings: Settings, counters: dict[str, Callable[[], int]], rate: float, seconds: float):
    """Send `rate` postings/s for `seconds`, each a new posting; per counter, each posting's latency: the first
    poll (every 20 ms) at which the counter has grown by k, minus posting k's send time (left out if never, 120 s)."""
    bodies = live_bodies(LIVE_BODIES)
    producer = PostingProducer(settings, config_overrides={"linger.ms": 2})
    baselines = {name: count() for name, count in counters.items()}
    polls: dict[str, list[tuple[float, int]]] = {name: [] for name in counters}
    sent_at: list[float] = []
    done = threading.Event()

    def poll(name: str) -> None:
        while not done.is_set():
            polls[name].append((time.time(), counters[name]() - baselines[name]))
            time.sleep(0.02)

    pollers = [threading.Thread(target=poll, args=(name,), daemon=True) for name in counters]
    for poller in pollers:
        poller.start()
    started = time.monotonic()
    for k in range(int(rate * seconds)):
        time.sleep(max(0.0, started + k / rate - time.monotonic()))
        key, value = live_event(bodies[k % len(bodies)])
        sent_at.append(time.time())
        producer.send(key, value)
    producer.flush()
    deadline = time.monotonic() + 120
    while any(not p or p[-1][1] < len(sent_at) for p in polls.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    done.set()
    for poller in pollers:
        poller.join()
    latencies: dict[str, list[float]] = {}
    for name, seen in polls.items():
        latencies[name] = []
        moments = iter(seen)
        moment, visible = next(moments, (None, 0))
        for k, sent in enumerate(sent_at, start=1):
            while moment is not None and visible < k:
                moment, visible = next(moments, (None, k))
            if moment is not None:
                latencies[name].append(moment - sent)
    return len(sent_at), latencies


def measure_live(settings: Settings, count_python, rate: float, seconds: float, run: Run) -> None:
    """Offer `rate` postings/s for `seconds`; latency = first poll that sees posting k minus its send time."""
    sent, latencies = send_and_watch(settings, {"python": count_python}, rate, seconds)
    run.live_sent[rate] = sent
    run.latencies.setdefault(rate, []).extend(latencies["python"])


def isolated(base: Settings, design: str, batch_size: int, checkpoints: str) -> tuple[Settings, dict[str, str]]:
    name = f"bench-stream-{design}-{uuid.uuid4().hex[:8]}"
    data_dir = Path(base.data_dir).resolve()
    catalog = data_dir / f"{name}-catalog.db"  # the lake catalog of this run alone
    checkpoint_uri = (
        f"s3://talent-pulse-local/bench/{name}/checkpoint"
        if checkpoints == "s3"
        else (data_dir / "bench" / name / "checkpoint").as_uri()
    )
    settings = Settings.from_env(
        postings_topic=name,
        serving_namespace=name,
        lake_catalog_uri=f"jdbc:sqlite:{catalog}",
        lake_uri=f"s3://talent-pulse-local/bench/{name}/lake",
        checkpoint_uri=checkpoint_uri,
        max_offsets_per_trigger=batch_size,
        data_dir=str(Path(base.data_dir).resolve()),
    )
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    topic = NewTopic(name, num_partitions=settings.topic_partitions, replication_factor=1)
    admin.create_topics([topic])[name].result(30)
    env = dict(
        os.environ,
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
        PULSE_POSTINGS_TOPIC=name,
        PULSE_SERVING_NAMESPACE=name,
        PULSE_LAKE_URI=settings.lake_uri,
        PULSE_CHECKPOINT_URI=settings.checkpoint_uri,
        PULSE_MAX_OFFSETS_PER_TRIGGER=str(batch_size),
        PULSE_LAKE_CATALOG_URI=settings.lake_catalog_uri,
        PYTHONPATH=os.pathsep.join(filter(None, (str(BENCH), os.environ.get("PYTHONPATH")))),
    )
    return settings, env


def backlog(settings: Settings, postings: int) -> None:
    generator = PostingGenerator(seed=7)
    producer = PostingProducer(settings)
    now = datetime.now(UTC)
    for _ in range(postings):
        producer.send(*encode_event(generator.generate(now).event))
    stats = producer.flush()
    if stats.total_failed:
        raise SystemExit(f"backlog: {stats.total_failed} postings not delivered: {stats.errors[:3]}")


def remove_prefix(settings: Settings) -> None:
    import boto3

    bucket, _, prefix = settings.lake_uri.removeprefix("s3://").partition("/")
    prefix = prefix.rsplit("/lake", 1)[0] + "/"
    s3 = boto3.client("s3", endpoint_url=settings.aws_endpoint_url or None)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})


def run_design(design: str, script: Path, base: Settings, args) -> Run:
    settings, env = isolated(base, design, args.batch_size, args.checkpoints)
    client = redis_client(settings)
    if design == "ours":

        def count_python() -> int:
            return int(client.zscore(Keys(settings.serving_namespace).skills, "Python") or 0)
    else:

        def count_python() -> int:
            return int(client.get(reference_key(settings.serving_namespace, "python")) or 0)

    run = Run(design)
    print(f"{design}: producing {args.postings:,} postings to {settings.postings_topic}", flush=True)
    backlog(settings, args.postings)
    run.started = time.monotonic()
    job = Job(script, settings, env, run)
    try:
        print(f"{design}: job started (log {job.log.name}); draining the backlog", flush=True)
        job.wait_for_records(args.postings, timeout=args.timeout)
        drained = len(run.batches)
        backlog_rows = sum(batch["accepted"] + batch["quarantined"] for batch in run.batches if "accepted" in batch)
        for rate in args.rates:
            print(
                f"{design}: backlog drained in {drained} batches; offering {rate:g}/s for {args.seconds:g}s", flush=True
            )
            measure_live(settings, count_python, rate, args.seconds, run)
    finally:
        job.stop()
        delete_namespace(client, settings.serving_namespace)
        admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
        admin.delete_topics([settings.postings_topic])[settings.postings_topic].result(30)
        remove_prefix(settings)
        shutil.rmtree(Path(base.data_dir).resolve() / "bench" / settings.postings_topic, ignore_errors=True)
        for catalog_file in sqlite_files(Path(settings.lake_catalog_uri.removeprefix("jdbc:sqlite:"))):
            catalog_file.unlink(missing_ok=True)
    run.batch_ends = run.batch_ends[:drained]
    run.batches = run.batches[:drained]
    if design == "ours":
        run.lake_caught_up = lake_caught_up(run, backlog_rows)
    return run


def lake_caught_up(run: Run, backlog_rows: int) -> float | None:
    """Seconds from the job's start until the lake held every backlog posting the hot path kept (None: never)."""
    total = 0
    for when, rows in run.lake_rows:
        total += rows
        if total >= backlog_rows:
            return when - run.started
    return None


def batch_seconds(batch: dict) -> float:
    return batch["trigger_ms"] / 1000 if batch.get("trigger_ms") is not None else batch["seconds"]


def drain_rate(run: Run) -> float:
    """Records of every batch after the first over the wall-clock time between the first's end and the last's."""
    if len(run.batch_ends) < 2:
        return sum(batch["rows_in"] for batch in run.batches) / max(sum(map(batch_seconds, run.batches)), 1e-9)
    return sum(batch["rows_in"] for batch in run.batches[1:]) / max(run.batch_ends[-1] - run.batch_ends[0], 1e-9)


def report(runs: list[Run], args) -> None:
    print(
        f"\n{args.postings:,} backlog postings in batches of {args.batch_size:,}; live "
        f"{', '.join(f'{rate:g}/s' for rate in args.rates)} for {args.seconds:g}s each; local[2]; "
        f"checkpoints on {'the S3 emulator' if args.checkpoints == 's3' else 'the local disk'}"
    )
    visible = "".join(f" {'visible p50/p95 @' + format(rate, 'g'):>24} {'seen':>11}" for rate in args.rates)
    print(f"{'design':<52} {'postings/s':>11} {'batch p50':>10} {'batch p95':>10}{visible} {'peak RSS':>9}")
    labels = {
        "ours": "ours: full taxonomy, dedup, deltas; lake query beside",
        "reference": "reference: UDF substring x10, complete, collect()+SET",
    }
    for run in runs:
        seconds = [batch_seconds(batch) for batch in run.batches if batch["rows_in"]] or [float("nan")]
        live = "".join(
            f" {percentile(run.latencies.get(rate, []), 0.5):>10.2f}s"
            f" /{percentile(run.latencies.get(rate, []), 0.95):>9.2f}s "
            f"{len(run.latencies.get(rate, [])):>5}/{run.live_sent.get(rate, 0):<5}"
            for rate in args.rates
        )
        print(
            f"{labels[run.design]:<52} {drain_rate(run):>11,.0f} {statistics.median(seconds):>9.2f}s "
            f"{percentile(seconds, 0.95):>9.2f}s{live} {run.peak_rss_mb:>6,.0f} MB"
        )
    for run in runs:
        if run.design == "ours" and run.batch_ends:
            lake = f"{run.lake_caught_up:.0f}s" if run.lake_caught_up is not None else "not within the run"
            print(
                f"ours, from the job's start: the live counts held the backlog after "
                f"{run.batch_ends[-1] - run.started:.0f}s, the lake after {lake}"
            )
    if [run.design for run in runs] == ["ours", "reference"]:
        ours, reference = runs

        def visible_p95(run: Run, rate: float) -> float:
            return percentile(run.latencies.get(rate, []), 0.95)

        print(
            f"ratio ours/reference: postings/s {drain_rate(ours) / max(drain_rate(reference), 1e-9):.2f}x; "
            + "; ".join(
                f"visible p95 @{rate:g}/s {visible_p95(ours, rate) / max(visible_p95(reference, rate), 1e-9):.2f}x"
                for rate in args.rates
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=200_000, help="backlog postings per design")
    parser.add_argument("--batch-size", type=int, default=50_000, help="max records per micro-batch")
    parser.add_argument(
        "--rates",
        type=lambda text: [float(r) for r in text.split(",")],
        default=[2000.0, 50.0],
        help="offered postings/s of the live phases, comma-separated (default 2000,50)",
    )
    parser.add_argument("--seconds", type=float, default=60, help="length of each live phase")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to drain the backlog")
    parser.add_argument(
        "--designs",
        type=lambda text: text.split(","),
        default=["ours", "reference"],
        help="which designs to run, comma-separated (default ours,reference)",
    )
    parser.add_argument(
        "--checkpoints",
        choices=("s3", "local"),
        default="s3",
        help="where both designs keep their streaming checkpoints: the S3 emulator (default, as on "
        "AWS) or the local disk (shows the share of the emulator's round trips)",
    )
    parser.add_argument("--small", action="store_true", help="a tiny run that only proves the script works (CI)")
    args = parser.parse_args()
    if args.small:
        args.postings, args.batch_size, args.rates, args.seconds = 400, 200, [5.0], 6
    if "Python" not in default_matcher().extract(LIVE_TITLE + "\n" + LIVE_SENTENCE):
        raise SystemExit(f"the live postings must name Python for the taxonomy: {LIVE_TITLE!r}")
    base = Settings.from_env()
    scripts = {"ours": entry_point(), "reference": BENCH / "reference_stream_job.py"}
    unknown = set(args.designs) - set(scripts)
    if unknown:
        parser.error(f"unknown design(s) {', '.join(sorted(unknown))}: choose from {', '.join(scripts)}")
    runs: list[Run] = []
    try:
        for design in args.designs:
            runs.append(run_design(design, scripts[design], base, args))
    finally:  # a design that fails still leaves the numbers of those that ran before it
        if runs:
            report(runs, args)


if __name__ == "__main__":
    main()
