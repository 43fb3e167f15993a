"""Serving-layer helpers only tests and benchmarks need."""

from __future__ import annotations

import redis

from talent_pulse.serving import Keys


def delete_namespace(client: redis.Redis, namespace: str) -> int:
    """Delete every key of a serving namespace (tests, benchmarks, starting over); returns how many."""
    doomed = list(client.scan_iter(match=Keys(namespace).prefix + "*", count=1000))
    for start in range(0, len(doomed), 1000):
        client.delete(*doomed[start : start + 1000])
    return len(doomed)
