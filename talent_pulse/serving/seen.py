"""The hot path's dedup: which event ids the serving layer has counted within the dedup window.

The write script adds each batch's newly counted event ids to one SET per bucket of
Kafka ingest time (`Keys.seen`), in the same fenced, atomic step as the counts, so a
replayed batch neither counts nor adds them twice. Before counting, a batch asks which
of its ids are already in the buckets of the window (`seen_before`: two pipelined
round trips, EXISTS over the buckets, then SMISMEMBER on those that exist). The sets
expire after the window, so this state is bounded like the cold path's dedup
watermark, and nothing of it lives in the streaming checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import redis

from talent_pulse.serving.keys import DEDUP_WINDOW_SECONDS, SEEN_BUCKET_SECONDS, Keys

IDS_PER_COMMAND = 5000


def ingest_bucket(epoch_seconds: int) -> int:
    return epoch_seconds // SEEN_BUCKET_SECONDS


def window_buckets(oldest_ingest_seconds: int, newest_ingest_seconds: int) -> range:
    """The buckets that can hold an id first seen within the window before any of a batch's records."""
    return range(ingest_bucket(oldest_ingest_seconds - DEDUP_WINDOW_SECONDS), ingest_bucket(newest_ingest_seconds) + 1)


def seen_before(
    client: redis.Redis[Any], namespace: str, event_ids: Sequence[str], buckets: range
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """For each id, whether a batch applied earlier counted it (is in one of `buckets`' sets)."""
    keys = Keys(namespace)
    seen = np.zeros(len(event_ids), dtype=bool)
    if not event_ids:
        return seen
    counts = _exists(client, buckets, keys)
    existing = [keys.seen(bucket) for bucket, count in zip(buckets, counts, strict=True) if count]
    pipeline = client.pipeline(transaction=False)
    starts = range(0, len(event_ids), IDS_PER_COMMAND)
    for key in existing:
        for start in starts:
            chunk = list(event_ids[start : start + IDS_PER_COMMAND])
            pipeline.smismember(key, chunk)  # type: ignore[no-untyped-call]  # unannotated in types-redis
    replies = iter(pipeline.execute())
    for _ in existing:
        for start in starts:
            seen[start : start + IDS_PER_COMMAND] |= np.asarray(next(replies), dtype=bool)
    return seen


def _exists(client: redis.Redis[Any], buckets: range, keys: Keys) -> list[int]:
    pipeline = client.pipeline(transaction=False)
    for bucket in buckets:
        pipeline.exists(keys.seen(bucket))
    return [int(count) for count in pipeline.execute()]
