"""The read side: everything the dashboard shows in one MULTI/EXEC round trip, `pulse stats --json`'s totals,
and the job's progress reports."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
from redis.client import Pipeline

from talent_pulse.serving.keys import (
    HOUR_TREND_POINTS,
    LOCATION_TOP_SKILLS,
    MAX_LOCATIONS,
    MINUTE_TREND_POINTS,
    PAIR_SEPARATOR,
    Keys,
)


@dataclass(frozen=True)
class Meta:
    postings: int
    rejected: int
    duplicates: int
    batches_applied: int
    last_batch_id: int | None
    last_event_time: str | None
    last_update_time: float | None


@dataclass(frozen=True)
class TrendPoint:
    """One time bucket: postings in it, and skill -> postings in it."""

    start: datetime
    postings: int
    skills: dict[str, int]


@dataclass(frozen=True)
class Focus:
    """Exact counts a filtered view needs beyond the top lists, read in the same round trip.

    skills:                 the all-time count of each (ZMSCORE on the skills ZSET)
    places:                 every skill's count summed over these locations (ZUNION of their ZSETs)
    cell_places/cell_skills: the count of each cell skill in each cell place (ZMSCORE per location)
    """

    skills: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    cell_places: tuple[str, ...] = ()
    cell_skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    meta: Meta
    top_skills: list[tuple[str, int]]
    locations: list[tuple[str, int]]
    location_skills: dict[str, dict[str, int]]
    minute_trend: list[TrendPoint]
    hour_trend: list[TrendPoint]
    top_pairs: list[tuple[str, str, int]]
    remote: dict[str, int]
    seniority: dict[str, int]
    rejected_reasons: dict[str, int]
    # What was read for `trend_skills` (None: each bucket's own top list) and for the Focus, with its answers.
    trend_skills: tuple[str, ...] | None = None
    focus: Focus = Focus()
    skill_counts: dict[str, int] = field(default_factory=dict)
    place_skill_counts: dict[str, int] = field(default_factory=dict)
    cells: dict[str, dict[str, int]] = field(default_factory=dict)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _int(value: object) -> int:
    return int(float(_text(value))) if value is not None else 0


def _scored(rows: Iterable[tuple[Any, Any]]) -> list[tuple[str, int]]:
    return [(_text(member), _int(score)) for member, score in rows]


def _counts_of(names: tuple[str, ...], scores: Iterable[Any]) -> dict[str, int]:
    """ZMSCORE answers (None for a member that was never counted) as exact counts."""
    return {name: _int(score) for name, score in zip(names, scores, strict=True)}


def _top_list(encoded: str | bytes, limit: int) -> dict[str, int]:
    """One loc_top entry, JSON [skill, count, ...] as the write script stored it, cut to `limit` skills."""
    flat = json.loads(encoded)
    return dict(zip(flat[0 : 2 * limit : 2], map(int, flat[1 : 2 * limit : 2]), strict=True))


def _pair(member: str, count: int) -> tuple[str, str, int]:
    first, second = member.split(PAIR_SEPARATOR, 1)
    return first, second, count


def _int_hash(raw: dict[Any, Any]) -> dict[str, int]:
    return {_text(k): _int(v) for k, v in raw.items()}


def _meta(raw: dict[Any, Any]) -> Meta:
    values = {_text(k): _text(v) for k, v in raw.items()}
    return Meta(
        postings=int(values.get("postings", 0)),
        rejected=int(values.get("rejected", 0)),
        duplicates=int(values.get("duplicates", 0)),
        batches_applied=int(values.get("batches_applied", 0)),
        last_batch_id=int(values["last_batch_id"]) if "last_batch_id" in values else None,
        last_event_time=values.get("last_event_time"),
        last_update_time=float(values["last_update_time"]) if "last_update_time" in values else None,
    )


def _epoch_seconds(now: float | datetime | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        return (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()
    return float(now)


def _queue_trend(
    pipe: Pipeline[Any],
    bucket_keys: list[str],
    postings_keys: list[str],
    trend_skills: tuple[str, ...] | None,
    top_n: int,
) -> None:
    pipe.mget(postings_keys)
    if trend_skills == ():
        return
    for key in bucket_keys:
        if trend_skills:
            pipe.zmscore(key, list(trend_skills))  # type: ignore[no-untyped-call]  # unannotated in types-redis
        else:
            pipe.zrevrange(key, 0, top_n - 1, withscores=True)


def _take_trend(
    results: Iterator[Any], buckets: list[int], seconds_per_bucket: int, trend_skills: tuple[str, ...] | None
) -> list[TrendPoint]:
    postings = next(results)
    points = []
    for bucket, bucket_postings in zip(buckets, postings, strict=True):
        if trend_skills == ():
            skills = {}
        elif trend_skills:
            skills = _counts_of(trend_skills, next(results))
        else:
            skills = dict(_scored(next(results)))
        start = datetime.fromtimestamp(bucket * seconds_per_bucket, tz=UTC)
        points.append(TrendPoint(start=start, postings=_int(bucket_postings), skills=skills))
    return points


def read_snapshot(
    client: redis.Redis[Any],
    namespace: str,
    *,
    top_n: int = 20,
    trend_skills: Iterable[str] | None = None,
    now: float | datetime | None = None,
    focus: Focus | None = None,
    location_top_n: int | None = None,
) -> Snapshot:
    """Everything the dashboard shows, read in ONE round trip (a MULTI/EXEC pipeline: a consistent view).

    Trends cover the last 60 minutes and 48 hours ending at `now` (default: this
    machine's clock). Each TrendPoint's skills are the counts of `trend_skills`
    when given (none for an empty list: postings only), else that bucket's own top
    `top_n` skills. `location_skills`
    holds the top `location_top_n` (default min(top_n, 200)) skills of every
    location; 0 skips that read. `focus` adds exact counts for filtered views.
    """
    if top_n < 1:
        raise ValueError(f"top_n must be >= 1, got {top_n}")
    keys = Keys(namespace)
    trend_skills = None if trend_skills is None else tuple(trend_skills)
    focus = focus or Focus()
    location_top_n = min(top_n, LOCATION_TOP_SKILLS) if location_top_n is None else location_top_n
    current = _epoch_seconds(now)
    minutes = [int(current // 60) - i for i in reversed(range(MINUTE_TREND_POINTS))]
    hours = [int(current // 3600) - i for i in reversed(range(HOUR_TREND_POINTS))]

    pipe = client.pipeline(transaction=True)
    pipe.hgetall(keys.meta)
    pipe.zrevrange(keys.skills, 0, top_n - 1, withscores=True)
    pipe.zrevrange(keys.locations, 0, MAX_LOCATIONS - 1, withscores=True)
    if location_top_n:
        pipe.hgetall(keys.location_top)
    pipe.zrevrange(keys.pairs, 0, top_n - 1, withscores=True)
    pipe.hgetall(keys.remote)
    pipe.hgetall(keys.seniority)
    pipe.hgetall(keys.rejected)
    _queue_trend(
        pipe, [keys.minute_skills(m) for m in minutes], [keys.minute_postings(m) for m in minutes], trend_skills, top_n
    )
    _queue_trend(
        pipe, [keys.hour_skills(h) for h in hours], [keys.hour_postings(h) for h in hours], trend_skills, top_n
    )
    if focus.skills:
        pipe.zmscore(keys.skills, list(focus.skills))  # type: ignore[no-untyped-call]  # unannotated in types-redis
    if focus.places:
        pipe.zunion([keys.location_skills(slug) for slug in focus.places], withscores=True)
    if focus.cell_skills:
        for slug in focus.cell_places:
            pipe.zmscore(keys.location_skills(slug), list(focus.cell_skills))  # type: ignore[no-untyped-call]  # as above
    results = iter(pipe.execute())

    meta, top_skills, locations = next(results), next(results), next(results)
    location_top = next(results) if location_top_n else {}
    pairs, remote, seniority, rejected = (next(results) for _ in range(4))
    minute_trend = _take_trend(results, minutes, 60, trend_skills)
    hour_trend = _take_trend(results, hours, 3600, trend_skills)
    skill_counts = _counts_of(focus.skills, next(results)) if focus.skills else {}
    place_skill_counts = dict(_scored(next(results))) if focus.places else {}
    cells = (
        {slug: _counts_of(focus.cell_skills, next(results)) for slug in focus.cell_places} if focus.cell_skills else {}
    )
    return Snapshot(
        meta=_meta(meta),
        top_skills=_scored(top_skills),
        locations=_scored(locations),
        location_skills={_text(slug): _top_list(encoded, location_top_n) for slug, encoded in location_top.items()},
        minute_trend=minute_trend,
        hour_trend=hour_trend,
        top_pairs=[_pair(member, count) for member, count in _scored(pairs)],
        remote=_int_hash(remote),
        seniority=_int_hash(seniority),
        rejected_reasons=_int_hash(rejected),
        trend_skills=trend_skills,
        focus=focus,
        skill_counts=skill_counts,
        place_skill_counts=place_skill_counts,
        cells=cells,
    )


def read_progress(client: redis.Redis[Any], namespace: str) -> dict[str, dict[str, Any]]:
    return {_text(query): json.loads(report) for query, report in client.hgetall(Keys(namespace).progress).items()}


def stats_json(client: redis.Redis[Any], namespace: str) -> dict[str, Any]:
    """All-time totals, every skill and every location: what `pulse stats --json` prints."""
    keys = Keys(namespace)
    pipe = client.pipeline(transaction=True)
    pipe.hgetall(keys.meta)
    pipe.zrange(keys.skills, 0, -1, withscores=True)
    pipe.zrange(keys.locations, 0, -1, withscores=True)
    meta_raw, skills, locations = pipe.execute()
    slugs = [slug for slug, _ in _scored(locations)]
    pipe = client.pipeline(transaction=True)
    for slug in slugs:
        pipe.zrange(keys.location_skills(slug), 0, -1, withscores=True)
    location_rows = pipe.execute() if slugs else []
    meta = _meta(meta_raw)
    return {
        "postings": meta.postings,
        "rejected": meta.rejected,
        "duplicates": meta.duplicates,
        "skills": dict(_scored(skills)),
        "locations": {slug: dict(_scored(rows)) for slug, rows in zip(slugs, location_rows, strict=True)},
        "last_batch_id": meta.last_batch_id,
    }
