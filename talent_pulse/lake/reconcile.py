"""The batch layer's checks on the speed layer: serving-layer totals vs the same totals from the Iceberg tables.

Both sides are read without a JVM (Redis, and DuckDB over each table's current
snapshot), so this runs while the streaming job runs. The hot path is about a
second fresh and the cold path about a minute, so a live comparison shows the
last unflushed minute as drift: compare after the stream has stopped or gone
idle for longer than PULSE_COLD_TRIGGER_SECONDS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from talent_pulse.queries import DuckDBBackend
from talent_pulse.serving import PAIR_SEPARATOR, Keys, stats_json

# Each serving-layer view, computed from the lake: (key, count) rows. Duplicates never reach the lake, and the
# minute/hour trend buckets expire in Redis, so those are not compared.
LAKE_TOTALS = {
    "postings": "SELECT 'postings', count(*) FROM postings",
    "rejected": "SELECT 'rejected', count(*) FROM quarantine",
    "skills": "SELECT skill, count(*) FROM (SELECT unnest(skills) AS skill FROM postings) GROUP BY skill",
    "locations": "SELECT location, count(*) FROM postings GROUP BY location",
    "location_skills": "SELECT location || '/' || skill, count(*) "
    "FROM (SELECT location, unnest(skills) AS skill FROM postings) GROUP BY location, skill",
    "pairs": f"WITH m AS (SELECT event_id, unnest(skills) AS skill FROM postings) "
    f"SELECT a.skill || '{PAIR_SEPARATOR}' || b.skill, count(*) FROM m a JOIN m b "
    f"ON a.event_id = b.event_id AND a.skill < b.skill GROUP BY a.skill, b.skill",
    "remote": "SELECT CASE WHEN remote THEN 'remote' WHEN NOT remote THEN 'onsite' ELSE 'unknown' END, count(*) "
    "FROM postings GROUP BY 1",
    "seniority": "SELECT coalesce(seniority, 'unknown'), count(*) FROM postings GROUP BY 1",
    "rejected_reasons": "SELECT reason_code, count(*) FROM quarantine GROUP BY reason_code",
}


@dataclass(frozen=True)
class Drift:
    view: str
    key: str
    serving: int
    lake: int


def lake_totals(backend: DuckDBBackend) -> dict[str, dict[str, int]]:
    return {view: {str(key): int(count) for key, count in backend.fetch_all(sql)} for view, sql in LAKE_TOTALS.items()}


def _scores(rows: Iterable[tuple[Any, Any]]) -> dict[str, int]:
    return {(m.decode() if isinstance(m, bytes) else m): int(score) for m, score in rows}


def _hash(raw: dict[Any, Any]) -> dict[str, int]:
    return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}


def serving_totals(client: redis.Redis[Any], namespace: str) -> dict[str, dict[str, int]]:
    keys = Keys(namespace)
    stats = stats_json(client, namespace)
    pipe = client.pipeline(transaction=True)
    pipe.zrange(keys.locations, 0, -1, withscores=True)
    pipe.zrange(keys.pairs, 0, -1, withscores=True)
    pipe.hgetall(keys.remote)
    pipe.hgetall(keys.seniority)
    pipe.hgetall(keys.rejected)
    locations, pairs, remote, seniority, reasons = pipe.execute()
    return {
        "postings": {"postings": stats["postings"]},
        "rejected": {"rejected": stats["rejected"]},
        "skills": {skill: int(n) for skill, n in stats["skills"].items()},
        "locations": _scores(locations),
        "location_skills": {
            f"{slug}/{skill}": int(n) for slug, skills in stats["locations"].items() for skill, n in skills.items()
        },
        "pairs": _scores(pairs),
        "remote": _hash(remote),
        "seniority": _hash(seniority),
        "rejected_reasons": _hash(reasons),
    }


def compare(serving: dict[str, dict[str, int]], lake: dict[str, dict[str, int]]) -> list[Drift]:
    """Every key whose count differs (a key missing on one side counts as 0 there)."""
    drift = []
    for view in LAKE_TOTALS:
        ours, theirs = serving.get(view, {}), lake.get(view, {})
        for key in sorted(set(ours) | set(theirs)):
            if ours.get(key, 0) != theirs.get(key, 0):
                drift.append(Drift(view, key, ours.get(key, 0), theirs.get(key, 0)))
    return drift
