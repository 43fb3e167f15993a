"""Serving-layer cost at 1M postings: apply_batch per micro-batch and read_snapshot per dashboard refresh.

Simulates a time-ordered stream of postings (Zipf-like skill and location
popularity, 1-8 skills each, event times spread over 48 h), aggregates each
micro-batch into a BatchDelta with numpy, and writes it through `apply_batch`
into a throw-away namespace of the configured Redis (PULSE_REDIS_URL; the local
stack by default). Beside each figure it prints the reference approach:

- write: the same increments as a plain pipeline (no fence, not atomic);
- read: the same commands as read_snapshot, one round trip each.

"Server" times come from INFO commandstats (EVALSHA / EXEC microseconds), so
other clients of a shared Redis add a little noise to them.

    python tests/bench/bench_serving.py [--postings 1000000] [--batch 20000] [--reads 50]

Target: read_snapshot <= 200 ms server time per dashboard refresh.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np

from talent_pulse.serving import BatchDelta, Keys, apply_batch, build_plan, read_snapshot, redis_client
from talent_pulse.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: serving_support
from serving_support import delete_namespace

SKILLS = 300
LOCATIONS = 150
MAX_SKILLS_PER_POSTING = 8
SPAN_SECONDS = 48 * 3600
REMOTE = np.array(["remote", "onsite", "unknown"])
SENIORITY = np.array(["junior", "mid", "senior", "lead", "unknown"])


def zipf_weights(n: int, rng: np.random.Generator) -> np.ndarray:
    weights = 1 / np.arange(1, n + 1) ** 0.9
    return rng.permutation(weights / weights.sum())


class Stream:
    """Synthetic postings, aggregated per micro-batch exactly as the job's foreachBatch would."""

    def __init__(self, postings: int, start: float, seed: int = 7):
        self.rng = np.random.default_rng(seed)
        self.postings, self.start = postings, start
        self.skill_names = np.array([f"skill-{i:03d}" for i in range(SKILLS)])
        self.slugs = np.array([f"city-{i:03d}" for i in range(LOCATIONS)])
        self.skill_weights = zipf_weights(SKILLS, self.rng)
        self.location_weights = zipf_weights(LOCATIONS, self.rng)

    def batch(self, first: int, size: int) -> BatchDelta:
        rng = self.rng
        index = np.arange(first, first + size)
        event_time = self.start + index * (SPAN_SECONDS / self.postings)
        minute, hour = (event_time // 60).astype(np.int64), (event_time // 3600).astype(np.int64)
        location = rng.choice(LOCATIONS, size=size, p=self.location_weights)
        # Weighted sampling without replacement (Gumbel top-k): distinct skills per posting.
        keys = np.log(rng.random((size, SKILLS))) / self.skill_weights
        skills = np.argpartition(-keys, MAX_SKILLS_PER_POSTING, axis=1)[:, :MAX_SKILLS_PER_POSTING]
        mentioned = np.arange(MAX_SKILLS_PER_POSTING) < rng.integers(1, MAX_SKILLS_PER_POSTING + 1, size)[:, None]

        rows, cols = np.nonzero(mentioned)
        skill = skills[rows, cols]
        first_col, second_col = np.triu_indices(MAX_SKILLS_PER_POSTING, k=1)
        both = mentioned[:, first_col] & mentioned[:, second_col]
        a, b = skills[:, first_col][both], skills[:, second_col][both]
        low, high = np.minimum(a, b), np.maximum(a, b)
        return BatchDelta(
            postings=size,
            rejected=size // 100,
            duplicates=size // 200,
            skills=self._counts(skill, self.skill_names),
            locations=self._counts(location, self.slugs),
            location_skills=self._nested(location[rows], self.slugs, skill),
            minute_skills=self._nested(minute[rows], None, skill),
            hour_skills=self._nested(hour[rows], None, skill),
            minute_postings=self._counts(minute, None),
            hour_postings=self._counts(hour, None),
            pairs={
                (self.skill_names[x], self.skill_names[y]): n
                for (x, y), n in zip(*np.unique(np.stack([low, high], 1), axis=0, return_counts=True), strict=True)
            },
            remote=self._counts(rng.integers(0, len(REMOTE), size), REMOTE),
            seniority=self._counts(rng.integers(0, len(SENIORITY), size), SENIORITY),
            rejected_reasons={"invalid_json": size // 200, "missing_field": size // 100 - size // 200},
            last_event_time=datetime.fromtimestamp(event_time[-1], tz=UTC).isoformat(),
        )

    @staticmethod
    def _counts(values: np.ndarray, names: np.ndarray | None) -> dict:
        unique, counts = np.unique(values, return_counts=True)
        labels = names[unique] if names is not None else unique
        return {label.item(): int(n) for label, n in zip(labels, counts, strict=True)}

    def _nested(self, outer: np.ndarray, outer_names: np.ndarray | None, skill: np.ndarray) -> dict:
        result: dict = {}
        pairs, counts = np.unique(np.stack([outer, skill], 1), axis=0, return_counts=True)
        for (outer_value, skill_index), n in zip(pairs, counts, strict=True):
            label = outer_names[outer_value] if outer_names is not None else outer_value
            result.setdefault(label.item(), {})[self.skill_names[skill_index]] = int(n)
        return result


def commandstats_usec(client, command: str) -> int:
    return int(client.info("commandstats").get(f"cmdstat_{command}", {}).get("usec", 0))


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms"


def reference_write(client, namespace: str, delta: BatchDelta) -> None:
    """The same increments as apply_batch, sent as a plain pipeline: no fence, not atomic."""
    builder = build_plan(Keys(namespace), "reference", delta)
    keys, plan, pipe = builder.keys, builder.plan, client.pipeline(transaction=False)
    for index, items, ttl in plan["z"]:
        for member, count in zip(items[::2], items[1::2], strict=True):
            pipe.zincrby(keys[index - 1], count, member)
        if ttl:
            pipe.expire(keys[index - 1], ttl)
    for index, items in plan["h"]:
        for field, count in zip(items[::2], items[1::2], strict=True):
            pipe.hincrby(keys[index - 1], field, count)
    for index, count, ttl in plan["s"]:
        pipe.incrby(keys[index - 1], count)
        pipe.expire(keys[index - 1], ttl)
    pipe.execute()


class OneRoundTripPerCommand:
    """Stands in for the client: read_snapshot's pipeline runs each command as its own round trip."""

    def __init__(self, client):
        self.client = client

    def pipeline(self, transaction: bool = True) -> OneRoundTripPerCommand._Immediate:
        return self._Immediate(self.client)

    class _Immediate:
        def __init__(self, client):
            self.client, self.results = client, []

        def __getattr__(self, name):
            command = getattr(self.client, name)
            return lambda *args, **kwargs: self.results.append(command(*args, **kwargs))

        def execute(self) -> list:
            return self.results


def timed_reads(client, read, count: int) -> tuple[list[float], float]:
    """Wall milliseconds of each call, and the server's EXEC milliseconds per call."""
    exec_usec_before = commandstats_usec(client, "exec")
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        read()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, (commandstats_usec(client, "exec") - exec_usec_before) / count / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000, help="postings per micro-batch")
    parser.add_argument("--reads", type=int, default=50, help="read_snapshot calls to time")
    args = parser.parse_args()
    settings = Settings.from_env()
    client = redis_client(settings)
    namespace, reference_namespace = (f"bench-serving-{uuid.uuid4().hex[:8]}{suffix}" for suffix in ("", "-ref"))
    now = time.time()
    stream = Stream(args.postings, start=now - SPAN_SECONDS)
    try:
        ours_ms, reference_ms, script_usec, payload_bytes = [], [], 0, 0
        for batch_id, first in enumerate(range(0, args.postings, args.batch)):
            delta = stream.batch(first, min(args.batch, args.postings - first))
            payload_bytes = max(payload_bytes, len(json.dumps(build_plan(Keys(namespace), "b", delta).plan)))
            usec_before = commandstats_usec(client, "evalsha")
            started = time.perf_counter()
            apply_batch(client, namespace, "bench", batch_id, delta)
            ours_ms.append((time.perf_counter() - started) * 1000)
            script_usec += commandstats_usec(client, "evalsha") - usec_before
            started = time.perf_counter()
            reference_write(client, reference_namespace, delta)
            reference_ms.append((time.perf_counter() - started) * 1000)
        batches = len(ours_ms)
        keys = sum(1 for _ in client.scan_iter(match=f"{{{namespace}}}:*", count=1000))
        memory = sum(client.memory_usage(k) or 0 for k in client.scan_iter(match=f"{{{namespace}}}:*", count=1000))
        print(
            f"{args.postings:,} postings in {batches} batches of {args.batch:,}: {SKILLS} skills x {LOCATIONS} "
            f"locations, 48 h of events; namespace holds {keys:,} keys, {memory / 2**20:.1f} MiB; "
            f"largest plan {payload_bytes / 2**10:.0f} KiB"
        )
        print(
            f"apply_batch (1 Lua script, fenced, atomic):  {percentiles(ours_ms)}   "
            f"server {script_usec / batches / 1000:.1f} ms/batch"
        )
        print(f"reference write (plain pipeline, unfenced):  {percentiles(reference_ms)}")

        top = [skill for skill, _ in read_snapshot(client, namespace, top_n=6).top_skills]
        for label, kwargs in (
            ("top_n=20, 6 trend skills", {"top_n": 20, "trend_skills": top}),
            ("top_n=200, 6 trend skills", {"top_n": 200, "trend_skills": top}),
            ("top_n=20, per-bucket top", {"top_n": 20}),
        ):
            samples, server_ms = timed_reads(client, partial(read_snapshot, client, namespace, **kwargs), args.reads)
            print(f"read_snapshot {label:<27} {percentiles(samples)}   server {server_ms:.2f} ms/read")
        unpipelined = OneRoundTripPerCommand(client)
        samples, _ = timed_reads(
            client, lambda: read_snapshot(unpipelined, namespace, top_n=20, trend_skills=top), args.reads
        )
        print(f"reference read (1 round trip per command):  {percentiles(samples)}")
        print("target: <= 200 ms server time per dashboard refresh")
    finally:
        delete_namespace(client, namespace)
        delete_namespace(client, reference_namespace)
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
