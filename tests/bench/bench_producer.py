"""Producer benchmark: sustained postings/s from one process to the local broker, delivery latency.

Prints, for ~1 KB postings:
- ours, produce path: pre-generated postings through the tuned idempotent producer (acks=all,
  lz4 or zstd, linger/batch tuned), with p50/p95/p99 of the delivery-report latency;
- ours, end to end: generator + chaos labelling + encoding + producing in the same process;
- reference: one synchronous produce-and-flush per posting (the naive loop), same broker;
plus the load on the machine while it ran. `--small` runs a CI-sized pass that only proves it works.

Needs the local stack (`pulse local up`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from itertools import cycle, islice

from confluent_kafka.admin import AdminClient, NewTopic

from talent_pulse.chaos import ChaosInjector
from talent_pulse.contract import encode_event
from talent_pulse.local_stack.supervisor import local_settings
from talent_pulse.producer import PostingProducer, publish_records
from talent_pulse.sources import SyntheticSource


def _percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def produce_path(settings, pool: list[tuple[bytes, bytes]], count: int, compression: str) -> dict:
    producer = PostingProducer(settings, compression=compression, track_latency=True)
    started = time.perf_counter()
    for key, value in islice(cycle(pool), count):
        producer.send(key, value)
    stats = producer.flush(120)
    elapsed = time.perf_counter() - started
    latencies = sorted(stats.latencies_s)
    return {
        "rate": stats.delivered / elapsed,
        "failed": stats.total_failed,
        "p50_ms": 1000 * _percentile(latencies, 0.5),
        "p95_ms": 1000 * _percentile(latencies, 0.95),
        "p99_ms": 1000 * _percentile(latencies, 0.99),
    }


def end_to_end(settings, count: int) -> dict:
    records = ChaosInjector(0.0).records(SyntheticSource(seed=5).postings())
    summary = publish_records(PostingProducer(settings), islice(records, count))
    return {"rate": summary["delivered"] / (summary["duration_ms"] / 1000), "failed": summary["failed"]}


def reference_sync(settings, pool: list[tuple[bytes, bytes]], count: int) -> dict:
    producer = PostingProducer(settings, config_overrides={"linger.ms": 0})
    started = time.perf_counter()
    for key, value in islice(cycle(pool), count):
        producer.send(key, value)
        producer.flush(30)
    elapsed = time.perf_counter() - started
    return {"rate": producer.stats.delivered / elapsed, "failed": producer.stats.total_failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="CI size: proves the benchmark runs")
    parser.add_argument("--count", type=int, default=500_000, help="records for the produce-path run")
    args = parser.parse_args()
    count = 5_000 if args.small else args.count
    pool_size, e2e_count, reference_count = (1_000, 2_000, 200) if args.small else (20_000, 50_000, 2_000)

    base = local_settings()
    topic = f"bench-producer-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": base.kafka_bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=base.topic_partitions, replication_factor=1)])[topic].result(30)
    settings = type(base).from_env(postings_topic=topic)
    try:
        postings = islice(SyntheticSource(seed=1).postings(), pool_size)
        pool = [encode_event(p.event) for p in postings]
        mean_bytes = statistics.fmean(len(v) for _, v in pool)
        load_before = os.getloadavg()[0]
        results = {
            f"ours, produce path ({codec})": produce_path(settings, pool, count, codec) for codec in ("lz4", "zstd")
        }
        results["ours, generate + produce"] = end_to_end(settings, e2e_count)
        results["reference: sync send per posting"] = reference_sync(settings, pool, reference_count)
        load_after = os.getloadavg()[0]
    finally:
        admin.delete_topics([topic])[topic].result(30)

    print(
        f"postings of {mean_bytes:,.0f} bytes on average; {os.cpu_count()} cores; "
        f"1-min load average {load_before:.1f} before, {load_after:.1f} after; {count:,} records per produce run"
    )
    print(f"{'approach':<36} {'postings/s':>12} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'failed':>7}")
    for name, row in results.items():
        latency = "".join(f" {row[k]:>8.1f}" if k in row else f" {'-':>8}" for k in ("p50_ms", "p95_ms", "p99_ms"))
        print(f"{name:<36} {row['rate']:>12,.0f}{latency} {row['failed']:>7}")
    print("reference design: one posting every 0.5-2 s from a while-True loop (~0.8 postings/s)")
    if any(row["failed"] for row in results.values()):
        raise SystemExit("some deliveries failed: see `pulse local status`")


if __name__ == "__main__":
    main()
