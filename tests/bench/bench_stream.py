"""The streaming pipeline end to end on the local stack: ours beside the reference design, same run.

For each design, on a fresh topic, namespace and lake/checkpoint prefix:

1. backlog: N synthetic ~1 KB postings are produced, then the job is started
   (spark-submit, local[2], the same jars and session settings) and drains
   them in micro-batches of --batch-size records: sustained postings/s (records
   over the summed micro-batch time) and micro-batch p50/p95;
2. live: postings are produced at a fixed --rate for --seconds while the job
   runs; every one names Python, so each adds 1 to the design's Python count
   in Redis. The k-th posting is visible once that count has grown by k: its
   latency is the first poll (every 20 ms) that sees it, minus its event time
   (the moment it was sent);
3. peak RSS of the job's whole process tree (JVM, Python driver, Python workers), sampled every 0.5 s.

Ours: `glue_or_emr_jobs/streaming_job.py` (validation, dedup, the full
taxonomy, Parquet cold path and quarantine on the S3 emulator, fenced Redis
deltas). Reference: tests/bench/reference_stream_job.py (Python UDF substring
match over 10 skills, `complete` output mode, collect() + SET of totals).

    python tests/bench/bench_stream.py [--postings 20000] [--rate 50] [--seconds 30]   # needs `pulse local up`
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from confluent_kafka.admin import AdminClient, NewTopic

from talent_pulse.cli.stream import ENTRY_POINT, spark_submit_command
from talent_pulse.contract import encode_event
from talent_pulse.generator import PostingGenerator, iso_utc
from talent_pulse.producer import PostingProducer
from talent_pulse.serving import Keys, delete_namespace, redis_client
from talent_pulse.settings import Settings
from talent_pulse.skills import default_matcher
from talent_pulse.stream.progress import PROGRESS_PREFIX

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from reference_stream_job import reference_key  # noqa: E402

LIVE_TITLE = "Python Developer"
LIVE_SENTENCE = " We build our services in Python 3.12."


@dataclass
class Run:
    design: str
    batches: list[dict] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    live_sent: int = 0


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
        self.log = open(Path(settings.data_dir) / "logs" / f"bench-stream-{run.design}.log", "w")
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                        start_new_session=True)
        self.done = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith(PROGRESS_PREFIX):
                report = json.loads(line[len(PROGRESS_PREFIX):])
                if "rows_in" in report:  # the hot path's batches (the cold path reports files)
                    self.run.batches.append(report)

    def _sample(self) -> None:
        while not self.done.wait(0.5):
            self.run.peak_rss_mb = max(self.run.peak_rss_mb, tree_rss_mb(self.process.pid))

    def records_done(self) -> int:
        return sum(batch["rows_in"] for batch in self.run.batches)

    def wait_for_records(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.records_done() < count:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.run.design}: the job exited with {self.process.returncode}; "
                                 f"see {self.log.name}")
            if time.monotonic() > deadline:
                raise SystemExit(f"{self.run.design}: {self.records_done()} of {count} records after {timeout:.0f}s; "
                                 f"see {self.log.name}")
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


def live_event(generator: PostingGenerator) -> tuple[bytes, bytes]:
    event = generator.generate(datetime.now(timezone.utc)).event
    event["title"] = LIVE_TITLE
    event["description"] = event["description"] + LIVE_SENTENCE
    event["event_time"] = iso_utc(datetime.now(timezone.utc))
    return encode_event(event)


def measure_live(settings: Settings, count_python, rate: float, seconds: float, run: Run) -> None:
    """Offer `rate` postings/s for `seconds`; latency = first poll that sees posting k minus its send time."""
    generator = PostingGenerator(seed=99)
    producer = PostingProducer(settings, config_overrides={"linger.ms": 2})
    baseline = count_python()
    sent_at: list[float] = []
    polls: list[tuple[float, int]] = []
    stop_polling = threading.Event()

    def poll() -> None:
        while not stop_polling.is_set():
            polls.append((time.time(), count_python() - baseline))
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    started = time.monotonic()
    for k in range(int(rate * seconds)):
        time.sleep(max(0.0, started + k / rate - time.monotonic()))
        key, value = live_event(generator)
        sent_at.append(time.time())
        producer.send(key, value)
    producer.flush()
    deadline = time.monotonic() + 120
    while (not polls or polls[-1][1] < len(sent_at)) and time.monotonic() < deadline:
        time.sleep(0.1)
    stop_polling.set()
    poller.join()
    run.live_sent = len(sent_at)
    seen = iter(polls)
    moment, visible = next(seen, (0.0, 0))
    for k, sent in enumerate(sent_at, start=1):
        while visible < k:
            moment, visible = next(seen, (None, k))
        if moment is not None:
            run.latencies.append(moment - sent)


def isolated(base: Settings, design: str, batch_size: int) -> tuple[Settings, dict[str, str]]:
    name = f"bench-stream-{design}-{uuid.uuid4().hex[:8]}"
    settings = Settings.from_env(postings_topic=name, serving_namespace=name,
                                 lake_uri=f"s3://talent-pulse-local/bench/{name}/lake",
                                 checkpoint_uri=f"s3://talent-pulse-local/bench/{name}/checkpoint",
                                 max_offsets_per_trigger=batch_size, data_dir=str(Path(base.data_dir).resolve()))
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    admin.create_topics([NewTopic(name, num_partitions=settings.topic_partitions, replication_factor=1)])[name].result(30)
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable,
               PULSE_POSTINGS_TOPIC=name, PULSE_SERVING_NAMESPACE=name, PULSE_LAKE_URI=settings.lake_uri,
               PULSE_CHECKPOINT_URI=settings.checkpoint_uri, PULSE_MAX_OFFSETS_PER_TRIGGER=str(batch_size),
               PYTHONPATH=os.pathsep.join(filter(None, (str(BENCH), os.environ.get("PYTHONPATH")))))
    return settings, env


def backlog(settings: Settings, postings: int) -> None:
    generator = PostingGenerator(seed=7)
    producer = PostingProducer(settings)
    now = datetime.now(timezone.utc)
    for _ in range(postings):
        producer.send(*encode_event(generator.generate(now).event))
    stats = producer.flush()
    if stats.total_failed:
        raise SystemExit(f"backlog: {stats.total_failed} postings not delivered: {stats.errors[:3]}")


def run_design(design: str, script: Path, base: Settings, args) -> Run:
    settings, env = isolated(base, design, args.batch_size)
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
    job = Job(script, settings, env, run)
    try:
        print(f"{design}: job started (log {job.log.name}); draining the backlog", flush=True)
        job.wait_for_records(args.postings, timeout=args.timeout)
        drained = len(run.batches)
        print(f"{design}: backlog drained in {drained} batches; offering {args.rate:g}/s for {args.seconds:g}s",
              flush=True)
        measure_live(settings, count_python, args.rate, args.seconds, run)
    finally:
        job.stop()
        delete_namespace(client, settings.serving_namespace)
        AdminClient({"bootstrap.servers": settings.kafka_bootstrap}).delete_topics([settings.postings_topic])
    run.batches = [batch for batch in run.batches[:drained] if batch["rows_in"]] or run.batches[:drained]
    return run


def report(runs: list[Run], args) -> None:
    print(f"\n{args.postings:,} backlog postings in batches of {args.batch_size:,}; live {args.rate:g}/s for "
          f"{args.seconds:g}s; local[2]")
    print(f"{'design':<52} {'postings/s':>11} {'batch p50':>10} {'batch p95':>10} {'visible p50':>12} "
          f"{'visible p95':>12} {'seen':>9} {'peak RSS':>9}")
    labels = {"ours": "ours: full taxonomy, dedup, Parquet + quarantine, deltas",
              "reference": "reference: UDF substring x10, complete, collect()+SET"}
    for run in runs:
        seconds = [batch["seconds"] for batch in run.batches]
        rate = sum(batch["rows_in"] for batch in run.batches) / max(sum(seconds), 1e-9)
        print(f"{labels[run.design]:<52} {rate:>11,.0f} {statistics.median(seconds):>9.2f}s "
              f"{percentile(seconds, 0.95):>9.2f}s {percentile(run.latencies, 0.5):>11.2f}s "
              f"{percentile(run.latencies, 0.95):>11.2f}s {len(run.latencies):>4}/{run.live_sent:<4} "
              f"{run.peak_rss_mb:>6,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=20_000, help="backlog postings per design")
    parser.add_argument("--batch-size", type=int, default=2_000, help="max records per micro-batch")
    parser.add_argument("--rate", type=float, default=50, help="offered postings/s in the live phase")
    parser.add_argument("--seconds", type=float, default=30, help="length of the live phase")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to drain the backlog")
    parser.add_argument("--small", action="store_true", help="a tiny run that only proves the script works (CI)")
    args = parser.parse_args()
    if args.small:
        args.postings, args.batch_size, args.rate, args.seconds = 400, 200, 5, 6
    if "Python" not in default_matcher().extract(LIVE_TITLE + "\n" + LIVE_SENTENCE):
        raise SystemExit(f"the live postings must name Python for the taxonomy: {LIVE_TITLE!r}")
    base = Settings.from_env()
    runs = [run_design("ours", ENTRY_POINT, base, args),
            run_design("reference", BENCH / "reference_stream_job.py", base, args)]
    report(runs, args)


if __name__ == "__main__":
    main()
