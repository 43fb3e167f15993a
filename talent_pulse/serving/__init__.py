"""Serving layer: the Redis key layout and the only code that writes or reads it.

The streaming job writes per-micro-batch deltas with `apply_batch`; the dashboard and
`pulse stats` read with `read_snapshot` / `stats_json`.

- `keys`: the key layout (the table of keys, types and TTLs is there) and its constants;
- `apply_batch.lua`: the fenced, atomic write script (package data);
- `write`: a batch's deltas -> the script's plan -> one script call;
- `read`: snapshots, totals and progress reports, each in one round trip;
- `connection`: the client from settings.
"""

from talent_pulse.serving.connection import redacted_url, redis_client
from talent_pulse.serving.keys import (
    HOUR_BUCKET_TTL_SECONDS,
    HOUR_TREND_POINTS,
    LOCATION_TOP_SKILLS,
    MAX_LOCATIONS,
    MINUTE_BUCKET_TTL_SECONDS,
    MINUTE_TREND_POINTS,
    PAIR_SEPARATOR,
    Keys,
)
from talent_pulse.serving.read import Focus, Meta, Snapshot, TrendPoint, read_progress, read_snapshot, stats_json
from talent_pulse.serving.write import BatchDelta, apply_batch, build_plan, record_progress

__all__ = [
    "HOUR_BUCKET_TTL_SECONDS",
    "HOUR_TREND_POINTS",
    "LOCATION_TOP_SKILLS",
    "MAX_LOCATIONS",
    "MINUTE_BUCKET_TTL_SECONDS",
    "MINUTE_TREND_POINTS",
    "PAIR_SEPARATOR",
    "BatchDelta",
    "Focus",
    "Keys",
    "Meta",
    "Snapshot",
    "TrendPoint",
    "apply_batch",
    "build_plan",
    "read_progress",
    "read_snapshot",
    "record_progress",
    "redacted_url",
    "redis_client",
    "stats_json",
]
