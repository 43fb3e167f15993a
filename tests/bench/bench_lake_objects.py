"""Objects the cold path writes per hour at a steady posting rate: the Iceberg cold path vs the old committer.

Runs the real pipeline on a fresh topic, namespace and lake: `pulse produce --rate R
--duration D --chaos 0.02` while `pulse stream` runs with the default cold trigger
(PULSE_COLD_TRIGGER_SECONDS, 60 s). The stream is stopped (Ctrl-C) as soon as its batch
lines show every produced record in both sinks: the hot path has read them all into
Redis and the lake holds as many rows as the hot path kept. Afterwards it counts the
objects under the lake prefix in the S3 emulator (data and metadata files) and the cold
path's commit times from its batch lines.

For the old cold path (one Parquet object per (dt, location) and per quarantine dt
per batch, plus a pending and a final manifest per table per batch, at the old 2 s
trigger) it applies those rules to the same records read back from Kafka. The
records are grouped into 2 s batches by their Kafka timestamps, so the count is
computed, not measured.

    python tests/bench/bench_lake_objects.py --rate 50 --duration 300
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from talent_pulse.contract import Rejection, validate_record  # noqa: E402
from talent_pulse.gazetteer import normalise_location  # noqa: E402
from talent_pulse.local_stack.supervisor import local_environment, stop_process_group  # noqa: E402
from talent_pulse.settings import Settings  # noqa: E402

OLD_TRIGGER_SECONDS = 2
OLD_MANIFEST_PUTS_PER_BATCH = 4  # pending + final manifest, for each of the two tables
LAKE_BATCH = re.compile(r"lake batch\s+\d+:\s+(\d+) rows,\s+(\d+) files, ([\d.]+)s")
HOT_BATCH = re.compile(r"^batch\s+\d+:\s+(\d+) in,\s+(\d+) accepted,\s+(\d+) quarantined", re.MULTILINE)
COLD_FAILED = re.compile(r"^cold path failed: .*", re.MULTILINE)
# From the end of producing until both sinks hold every record: a cold trigger (60 s) and a cold batch take far
# less, even on a loaded machine.
SINKS_TIMEOUT_SECONDS = 600
STOP_TIMEOUT_SECONDS = 120


def kafka_consumer(settings: Settings) -> Any:
    from confluent_kafka import Consumer

    return Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"bench-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
        }
    )


def end_offsets(consumer: Any, topic: str) -> dict[int, int]:
    """Partition -> end offset: how many records the topic holds (it is not transactional)."""
    from confluent_kafka import TopicPartition

    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions}


def old_committer_puts(settings: Settings) -> tuple[int, int]:
    """PUTs the old committer would have made for the topic's records, and how many 2 s batches they fill."""
    from confluent_kafka import TopicPartition

    consumer = kafka_consumer(settings)
    ends = end_offsets(consumer, settings.postings_topic)
    consumer.assign([TopicPartition(settings.postings_topic, p, 0) for p in ends])
    batches: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    remaining = sum(ends.values())
    while remaining:
        for message in consumer.consume(1000, timeout=5):
            remaining -= 1
            window = message.timestamp()[1] // (OLD_TRIGGER_SECONDS * 1000)
            try:
                event = validate_record(message.value())
            except Rejection:
                batches[window].add(("quarantine", str(window)))  # quarantine: one object per ingest dt
                continue
            day = event["event_time"][:10]
            batches[window].add(("postings", day, normalise_location(event["location"]).slug))
    consumer.close()
    files = sum(len(keys) for keys in batches.values())
    return files + OLD_MANIFEST_PUTS_PER_BATCH * len(batches), len(batches)


@dataclass(frozen=True)
class SinkProgress:
    """What the stream's batch lines say so far."""

    read: int  # records the hot path read from Kafka
    kept: int  # of those, the accepted postings and quarantined records it counted in Redis (repeats dropped)
    lake_rows: int  # rows the cold path appended to the lake (the same repeats dropped)

    @classmethod
    def of(cls, output: str) -> SinkProgress:
        hot = [[int(count) for count in counts] for counts in HOT_BATCH.findall(output)]
        return cls(
            read=sum(read for read, _, _ in hot),
            kept=sum(accepted + quarantined for _, accepted, quarantined in hot),
            lake_rows=sum(int(rows) for rows, _, _ in LAKE_BATCH.findall(output)),
        )

    def holds(self, produced: int) -> bool:
        return self.read >= produced and self.lake_rows >= self.kept


def stream_failure(stream: subprocess.Popen[str], output: str) -> str | None:
    """Why the stream will not bring more records to the sinks, if it will not."""
    cold_failed = COLD_FAILED.search(output)
    if cold_failed:
        return cold_failed.group()
    if stream.poll() is not None:
        return f"the stream exited with code {stream.returncode} before both sinks held every record"
    return None


def wait_for_both_sinks(stream: subprocess.Popen[str], log: Path, produced: int) -> None:
    """Until the stream's batch lines show all `produced` records in Redis and in the lake; fails loudly, naming
    the stream's log, on a stream that stopped, a cold path that failed, or the timeout."""
    deadline = time.monotonic() + SINKS_TIMEOUT_SECONDS
    while True:
        output = log.read_text("utf-8", errors="replace")
        progress = SinkProgress.of(output)
        if progress.holds(produced):
            return
        failure = stream_failure(stream, output)
        if failure is None and time.monotonic() > deadline:
            failure = (
                f"after {SINKS_TIMEOUT_SECONDS}s the hot path had read {progress.read} of {produced} records and "
                f"the lake held {progress.lake_rows} of {progress.kept} rows"
            )
        if failure is not None:
            raise SystemExit(f"{failure}\nthe stream's log is {log}")
        time.sleep(1)


def lake_objects(settings: Settings) -> dict[str, int]:
    import boto3

    bucket, _, prefix = settings.lake_uri.removeprefix("s3://").partition("/")
    counts: dict[str, int] = defaultdict(int)
    for page in boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for item in page.get("Contents", []):
            counts["metadata" if "/metadata/" in item["Key"] else "data"] += 1
    return dict(counts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=300.0)
    args = parser.parse_args()

    os.environ.update(local_environment(Settings.from_env()))
    name = f"bench-objects-{uuid.uuid4().hex[:8]}"
    base = Settings.from_env()
    settings = Settings.from_env(
        postings_topic=name,
        serving_namespace=name,
        lake_uri=f"s3://talent-pulse-local/bench/{name}/lake",
        checkpoint_uri=f"s3://talent-pulse-local/bench/{name}/checkpoint",
        lake_catalog_uri=f"jdbc:sqlite:{Path(base.data_dir).resolve() / 'bench' / name / 'catalog.db'}",
    )
    from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]  # not re-exported in its stubs

    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    admin.create_topics([NewTopic(name, num_partitions=settings.topic_partitions, replication_factor=1)])[name].result()
    env = {**os.environ, **{row["env"]: str(row["value"]) for row in settings.describe() if row["value"] != "****"}}
    pulse = [sys.executable, "-m", "talent_pulse.cli.main"]
    log = Path(base.data_dir).resolve() / "bench" / name / "stream.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as stream_output:
        stream = subprocess.Popen(
            [*pulse, "stream"],
            env=env,
            stdout=stream_output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, so the stop reaches Spark's processes too
        )
    try:
        producer = subprocess.run(
            [*pulse, "produce", "--rate", str(args.rate), "--duration", str(args.duration), "--chaos", "0.02"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert producer.returncode == 0, producer.stderr[-2000:]
        consumer = kafka_consumer(settings)
        produced = sum(end_offsets(consumer, settings.postings_topic).values())
        consumer.close()
        wait_for_both_sinks(stream, log, produced)
    finally:
        stop_process_group(stream.pid, signal.SIGINT, STOP_TIMEOUT_SECONDS)  # Ctrl-C, as a person stops it
    output = log.read_text("utf-8")
    commits = [(int(files), float(seconds)) for _, files, seconds in LAKE_BATCH.findall(output)]

    hours = args.duration / 3600
    objects = lake_objects(settings)
    old_puts, old_batches = old_committer_puts(settings)
    print(f"{args.rate:g} postings/s for {args.duration:g}s ({int(args.rate * args.duration)} records)")
    print(
        f"reference, the old committer (2 s trigger, computed): {old_puts} PUTs in {old_batches} batches "
        f"-> {old_puts / hours:,.0f} objects/hour"
    )
    print(
        f"Iceberg cold path (60 s trigger, measured): {objects.get('data', 0)} data + "
        f"{objects.get('metadata', 0)} metadata files in {len(commits)} batches "
        f"-> {sum(objects.values()) / hours:,.0f} objects/hour"
    )
    if commits:
        seconds = [s for _, s in commits]
        print(
            f"cold batch (enrich + both appends + commits): median {statistics.median(seconds):.2f}s, "
            f"max {max(seconds):.2f}s; data files per batch median {statistics.median(f for f, _ in commits):g}"
        )
    admin.delete_topics([name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
