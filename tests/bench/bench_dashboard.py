"""Dashboard refresh cost with 1M postings' worth of serving-layer counters.

Seeds a throw-away namespace in the local Redis through `serving.apply_batch`
(the streaming job's write path), then times one dashboard refresh on the
server — `read_snapshot` (one pipelined round trip) plus building every frame
the Live pulse draws — beside the reference dashboard's read: `KEYS *`, then one
read per key, then top-N in Python.

    python tests/bench/bench_dashboard.py [--postings 1000000] [--refreshes 30]

Needs the local stack (`pulse local up`). Target: ≤200 ms per refresh.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from functools import partial
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "dashboard"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: serving_support

import charts
import views
from serving_support import delete_namespace
from streamlit.dataframe_util import convert_pandas_df_to_arrow_bytes

from talent_pulse.serving import BatchDelta, Keys, apply_batch, read_snapshot, redis_client
from talent_pulse.settings import Settings

SKILLS_PER_POSTING = 6
BATCHES = 10


def weights(names: list[str], rng: random.Random) -> dict[str, float]:
    shuffled = names[:]
    rng.shuffle(shuffled)
    raw = {name: 1 / (rank + 1) ** 0.9 for rank, name in enumerate(shuffled)}
    total = sum(raw.values())
    return {name: w / total for name, w in raw.items()}


def seed(client, namespace: str, postings: int, reference: views.Reference, now: float) -> None:
    rng = random.Random(7)
    skill_w = weights(sorted(reference.skill_category), rng)
    loc_w = weights(sorted(reference.location_region), rng)
    top_skills = sorted(skill_w, key=skill_w.get, reverse=True)[:250]
    per_batch = postings // BATCHES
    hour_now, minute_now = int(now // 3600), int(now // 60)
    for batch in range(BATCHES):

        def share(weight: float, n: int = per_batch) -> int:
            return max(1, round(n * weight))

        skills = {s: share(w * SKILLS_PER_POSTING) for s, w in skill_w.items()}
        locations = {slug: share(w) for slug, w in loc_w.items()}
        hours = {hour_now - h: per_batch // 48 for h in range(48)}
        last_batch = batch == BATCHES - 1
        minutes = {minute_now - m: per_batch // 60 for m in range(60)} if last_batch else {}
        delta = BatchDelta(
            postings=per_batch,
            rejected=per_batch // 100,
            duplicates=per_batch // 200,
            skills=skills,
            locations=locations,
            location_skills={
                slug: {s: share(w * lw * SKILLS_PER_POSTING) for s, w in skill_w.items()} for slug, lw in loc_w.items()
            },
            hour_skills={
                h: {s: share(w * SKILLS_PER_POSTING, n) for s, w in skill_w.items()} for h, n in hours.items()
            },
            minute_skills={
                m: {s: share(w * SKILLS_PER_POSTING, n) for s, w in skill_w.items()} for m, n in minutes.items()
            },
            hour_postings=hours,
            minute_postings=minutes,
            pairs={(a, b): share(skill_w[a] * skill_w[b] * 40) for a, b in combinations(sorted(top_skills), 2)},
            remote={"remote": per_batch // 4, "onsite": per_batch // 2, "unknown": per_batch // 4},
            seniority={"junior": per_batch // 5, "mid": per_batch // 2, "senior": per_batch // 4},
            rejected_reasons={"malformed_json": per_batch // 200, "missing_field": per_batch // 200},
            last_event_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        )
        apply_batch(client, namespace, "bench", batch, delta)


def dashboard_refresh(
    client, namespace: str, reference: views.Reference, filters: views.Filters, wanted: views.Wanted | None
) -> views.Wanted:
    """What the server does per refresh: the snapshot(s), the frames, and the chart payloads Streamlit sends."""
    _, frames = views.live_refresh(
        lambda read: read_snapshot(client, namespace, **read.snapshot_arguments()), filters, reference, wanted
    )
    for frame, spec in (
        (frames.top, charts.top_skills(len(frames.top))),
        (frames.minute_trend, charts.trend("%H:%M")),
        (frames.hour_trend, charts.trend("%H:%M")),
        (frames.heat, charts.heatmap(frames.heat["location"].nunique())),
        (frames.remote, charts.mix("mode", list(frames.remote["mode"]))),
        (frames.seniority, charts.mix("seniority", list(frames.seniority["seniority"]))),
        (frames.pairs, {}),
    ):
        convert_pandas_df_to_arrow_bytes(frame)
        json.dumps(spec)
    return frames.wanted


def naive_refresh(client, namespace: str) -> None:
    """The reference dashboard: KEYS *, one read per key, top-N in Python."""
    values = {}
    for key in client.keys(f"{{{namespace}}}:*"):
        kind = client.type(key)
        if kind == "zset":
            values[key] = client.zrange(key, 0, -1, withscores=True)
        elif kind == "hash":
            values[key] = client.hgetall(key)
        else:
            values[key] = client.get(key)
    skills = values.get(Keys(namespace).skills, [])
    sorted(skills, key=lambda item: -item[1])[:15]


def timed(fn, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--refreshes", type=int, default=30)
    args = parser.parse_args()
    client = redis_client(Settings.from_env())
    reference = views.load_reference()
    namespace = f"bench-dashboard-{uuid.uuid4().hex[:8]}"
    try:
        started = time.perf_counter()
        seed(client, namespace, args.postings, reference, time.time())
        keys = len(client.keys(f"{{{namespace}}}:*"))
        print(
            f"seeded {args.postings:,} postings' worth of counters ({len(reference.skill_category)} skills, "
            f"{len(reference.location_region)} locations) in {time.perf_counter() - started:.1f} s; "
            f"{keys:,} keys in the namespace"
        )
        region = reference.regions()[0]
        for label, filters in (
            ("all", views.Filters()),
            ("one category", views.Filters(categories=("data",))),
            (f"region {region}", views.Filters(regions=(region,))),
            ("region+category", views.Filters(regions=(region,), categories=("data",))),
        ):
            wanted = dashboard_refresh(client, namespace, reference, filters, None)
            ours = timed(partial(dashboard_refresh, client, namespace, reference, filters, wanted), args.refreshes)
            print(
                f"dashboard refresh, {label:<16} (1 round trip + frames + chart payloads): {summary(ours)}"
                "   target <= 200 ms"
            )
        changed = timed(
            lambda: dashboard_refresh(client, namespace, reference, views.Filters(categories=("ml",)), None),
            args.refreshes,
        )
        print(
            f"first refresh after a filter change   (2 round trips + frames + payloads): {summary(changed)}"
            "   target <= 200 ms"
        )
        naive = timed(lambda: naive_refresh(client, namespace), max(3, args.refreshes // 10))
        print(f"reference read (KEYS * + one read per key, top-N in Python):                   {summary(naive)}")
    finally:
        delete_namespace(client, namespace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
