"""The write side: a micro-batch's deltas as one plan, applied by one fenced, atomic Lua script.

The streaming job (and `pulse lake rebuild`) call `apply_batch` once per batch.
"""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import redis

from talent_pulse.serving.keys import (
    HOUR_BUCKET_TTL_SECONDS,
    LOCATION_TOP_SKILLS,
    MINUTE_BUCKET_TTL_SECONDS,
    PAIR_SEPARATOR,
    SEEN_TTL_SECONDS,
    Keys,
)

SCRIPT_RESOURCE = "apply_batch.lua"


@dataclass
class BatchDelta:
    """What one micro-batch adds to the serving layer (deltas, never totals)."""

    postings: int = 0
    rejected: int = 0
    duplicates: int = 0
    skills: dict[str, int] = field(default_factory=dict)
    locations: dict[str, int] = field(default_factory=dict)
    location_skills: dict[str, dict[str, int]] = field(default_factory=dict)
    minute_skills: dict[int, dict[str, int]] = field(default_factory=dict)
    hour_skills: dict[int, dict[str, int]] = field(default_factory=dict)
    minute_postings: dict[int, int] = field(default_factory=dict)
    hour_postings: dict[int, int] = field(default_factory=dict)
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)
    remote: dict[str, int] = field(default_factory=dict)
    seniority: dict[str, int] = field(default_factory=dict)
    rejected_reasons: dict[str, int] = field(default_factory=dict)
    last_event_time: str | None = None
    # ingest bucket (epoch seconds // SEEN_BUCKET_SECONDS) -> event ids first seen in this batch
    seen: dict[int, list[str]] = field(default_factory=dict)


@cache
def apply_batch_script() -> str:
    """The Lua script (apply_batch.lua beside this module, shipped as package data)."""
    return resources.files(__package__).joinpath(SCRIPT_RESOURCE).read_text("utf-8")


class _PlanBuilder:
    """Turns a BatchDelta into the script's KEYS list and JSON plan."""

    def __init__(self, keys: Keys, fence_id: str):
        self.keys = [keys.fence(fence_id), keys.meta, keys.location_top]
        self.plan: dict[str, Any] = {"z": [], "h": [], "s": [], "top": [], "seen": []}

    def _index(self, key: str) -> int:
        self.keys.append(key)
        return len(self.keys)  # Lua KEYS are 1-based

    def zincr(self, key: str, counts: dict[str, int], ttl: int = 0) -> int | None:
        items = _flatten(counts)
        if not items:
            return None
        index = self._index(key)
        self.plan["z"].append([index, items, ttl])
        return index

    def hincr(self, key: str, counts: dict[str, int]) -> None:
        items = _flatten(counts)
        if items:
            self.plan["h"].append([self._index(key), items])

    def add(self, key: str, members: list[str], ttl: int) -> None:
        if members:
            self.plan["seen"].append([self._index(key), [str(member) for member in members], ttl])

    def incr(self, key: str, count: int, ttl: int) -> None:
        count = _count(key, count)
        if count:
            self.plan["s"].append([self._index(key), count, ttl])


def _count(what: str, value: object) -> int:
    """The count as a plain int (numpy/pandas integers welcome); anything else is a bug in the caller."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"serving delta {what}: must be a non-negative integer, got {value!r}")
    return int(value)


def _flatten(counts: dict[str, int]) -> list[str | int]:
    items: list[str | int] = []
    for member, count in counts.items():
        if not isinstance(member, str) or not member:
            raise ValueError(f"serving delta: names must be non-empty strings, got {member!r}")
        count = _count(member, count)
        if count:
            items += [str(member), count]
    return items


def _iso_utc(text: str) -> str:
    """Fixed-width ISO-8601 UTC, so the script can keep the max by string comparison."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _pair_member(pair: tuple[str, str]) -> str:
    first, second = pair
    if not first < second or PAIR_SEPARATOR in first + second:
        raise ValueError(f"serving delta pair {pair!r}: must be sorted (a < b) and free of {PAIR_SEPARATOR!r}")
    return f"{first}{PAIR_SEPARATOR}{second}"


def build_plan(keys: Keys, fence_id: str, delta: BatchDelta) -> _PlanBuilder:
    """The script's KEYS and JSON plan for one batch (pure: no Redis)."""
    builder = _PlanBuilder(keys, fence_id)
    builder.zincr(keys.skills, delta.skills)
    builder.zincr(keys.locations, delta.locations)
    for slug, counts in delta.location_skills.items():
        index = builder.zincr(keys.location_skills(slug), counts)
        if index is not None:
            builder.plan["top"].append([index, slug])
    for minute, counts in delta.minute_skills.items():
        builder.zincr(keys.minute_skills(minute), counts, MINUTE_BUCKET_TTL_SECONDS)
    for hour, counts in delta.hour_skills.items():
        builder.zincr(keys.hour_skills(hour), counts, HOUR_BUCKET_TTL_SECONDS)
    for minute, count in delta.minute_postings.items():
        builder.incr(keys.minute_postings(minute), count, MINUTE_BUCKET_TTL_SECONDS)
    for hour, count in delta.hour_postings.items():
        builder.incr(keys.hour_postings(hour), count, HOUR_BUCKET_TTL_SECONDS)
    builder.zincr(keys.pairs, {_pair_member(pair): count for pair, count in delta.pairs.items()})
    builder.hincr(keys.remote, delta.remote)
    builder.hincr(keys.seniority, delta.seniority)
    builder.hincr(keys.rejected, delta.rejected_reasons)
    for bucket, event_ids in delta.seen.items():
        builder.add(keys.seen(bucket), event_ids, SEEN_TTL_SECONDS)
    builder.plan["meta"] = {
        "postings": _count("postings", delta.postings),
        "rejected": _count("rejected", delta.rejected),
        "duplicates": _count("duplicates", delta.duplicates),
    }
    builder.plan["last_event_time"] = _iso_utc(delta.last_event_time) if delta.last_event_time else False
    return builder


def apply_batch(client: redis.Redis[Any], namespace: str, fence_id: str, batch_id: int, delta: BatchDelta) -> bool:
    """Apply one micro-batch's deltas atomically; False (and no change) if this fence already applied batch_id.

    `fence_id` is the streaming query id (stable across restarts of one checkpoint).
    Any Redis error propagates so the batch fails and is retried.
    """
    batch_id = _count("batch_id", batch_id)
    if not fence_id:
        raise ValueError("fence_id must be non-empty (use the streaming query id)")
    builder = build_plan(Keys(namespace), fence_id, delta)
    script = client.register_script(apply_batch_script())
    applied = script(keys=builder.keys, args=[batch_id, json.dumps(builder.plan), LOCATION_TOP_SKILLS], client=client)
    return int(applied) == 1


def record_progress(client: redis.Redis[Any], namespace: str, query: str, report: dict[str, Any]) -> None:
    """The last finished batch of one of the job's queries (Spark's durations, the sink's counts), for people."""
    client.hset(Keys(namespace).progress, query, json.dumps(report, default=str))
