"""Recompute the serving layer from the lake into a fresh namespace (lost Redis, taxonomy change, backfill).

The lake is read one UTC day at a time (postings by event day, quarantine by
ingest day): the same facts the streaming job's hot path counts per batch
(`transforms.serving_facts`), rolled up by the same code
(`hot_path.summarise_facts`) and written by the same fenced step
(`serving.apply_batch`), one "batch" per day. The fence id
names the tables' snapshots, so re-running an interrupted rebuild of the same
snapshots skips the days it already applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

from talent_pulse.queries import DuckDBBackend
from talent_pulse.serving import apply_batch
from talent_pulse.stream.hot_path import summarise_facts

# The columns of transforms.serving_facts, from the lake: quarantined records carry a reason_code.
FACTS = """
SELECT CAST(NULL AS VARCHAR) AS reason_code, location, list_sort(skills) AS skills, remote, seniority,
       CAST(floor(epoch(event_time) / 60) AS BIGINT) AS minute,
       strftime(event_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS event_time
FROM postings WHERE CAST(event_time AT TIME ZONE 'UTC' AS DATE) = ?
UNION ALL
SELECT reason_code, NULL, NULL, NULL, NULL, NULL, NULL
FROM quarantine WHERE CAST(ingested_at AT TIME ZONE 'UTC' AS DATE) = ?
"""
DAYS = """
SELECT DISTINCT CAST(event_time AT TIME ZONE 'UTC' AS DATE) AS day FROM postings
UNION SELECT DISTINCT CAST(ingested_at AT TIME ZONE 'UTC' AS DATE) FROM quarantine
ORDER BY day
"""


@dataclass(frozen=True)
class RebuildReport:
    namespace: str
    days: int
    applied: int
    postings: int
    rejected: int


def rebuild_serving(
    backend: DuckDBBackend, client: redis.Redis[Any], namespace: str, fence_id: str, log: Callable[[str], None] = print
) -> RebuildReport:
    """Apply the lake's counts to `namespace`, one fenced batch per day; `fence_id` names what was read."""
    days = [row[0] for row in backend.fetch_all(DAYS)]
    applied = postings = rejected = 0
    for batch_id, day in enumerate(days):
        facts = backend.fetch_arrow(FACTS, [day, day])
        delta = summarise_facts(facts, facts.num_rows)
        if apply_batch(client, namespace, fence_id, batch_id, delta):
            applied += 1
        postings, rejected = postings + delta.postings, rejected + delta.rejected
        log(f"{day}: {delta.postings} postings, {delta.rejected} rejected")
    return RebuildReport(namespace, len(days), applied, postings, rejected)
