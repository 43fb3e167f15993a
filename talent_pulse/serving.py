"""Serving layer: the one module that owns the Redis key layout.

The streaming job writes per-micro-batch deltas with `apply_batch`; the
dashboard and `pulse stats` read with `read_snapshot` / `stats_json`. No other
module formats a key string.

Every key is `{<namespace>}:<name>`: the shared hash tag puts all of them in one
cluster slot, so the write script and the read transaction work on cluster-mode
and serverless ElastiCache/Valkey.

| key                               | type   | content                                            | TTL    |
|-----------------------------------|--------|----------------------------------------------------|--------|
| `{ns}:meta`                       | HASH   | postings, rejected, duplicates, batches_applied,   | -      |
|                                   |        | last_batch_id, last_event_time (ISO, UTC),         |        |
|                                   |        | last_update_time (Redis server TIME, epoch s)      |        |
| `{ns}:fence:<fence_id>`           | STRING | highest batch id applied by that streaming query   | -      |
| `{ns}:skills`                     | ZSET   | skill -> postings mentioning it (all time)         | -      |
| `{ns}:locations`                  | ZSET   | location slug -> postings                          | -      |
| `{ns}:loc:<slug>:skills`          | ZSET   | skill -> postings in that location                 | -      |
| `{ns}:loc_top`                    | HASH   | slug -> JSON [skill, count, ...] top skills there  | -      |
| `{ns}:skills:m:<epoch_minute>`    | ZSET   | skill -> postings with event_time in that minute   | 2 h    |
| `{ns}:skills:h:<epoch_hour>`      | ZSET   | skill -> postings with event_time in that hour     | 8 days |
| `{ns}:postings:m:<epoch_minute>`  | STRING | postings with event_time in that minute            | 2 h    |
| `{ns}:postings:h:<epoch_hour>`    | STRING | postings with event_time in that hour              | 8 days |
| `{ns}:pairs`                      | ZSET   | "skillA|skillB" (A < B) -> co-occurrence count     | -      |
| `{ns}:remote`                     | HASH   | remote / onsite / unknown -> postings              | -      |
| `{ns}:seniority`                  | HASH   | seniority level -> postings                        | -      |
| `{ns}:rejected`                   | HASH   | reason code -> quarantined records                 | -      |
| `{ns}:progress`                   | HASH   | query (hot / cold) -> JSON of its last batch       | -      |

`loc_top` is a read-side materialisation kept by the write script: it lets a
reader (`pulse stats`) fetch every location's top skills in the same round trip
as the rest of the snapshot, without a script that derives key names (ElastiCache
rejects scripts touching undeclared keys). Filtered views do not rely on it: a
`Focus` reads exact counts from the per-location ZSETs in that same round trip.
"""

from __future__ import annotations

import json
import numbers
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable
from urllib.parse import urlsplit, urlunsplit

import redis

if TYPE_CHECKING:
    from talent_pulse.settings import Settings

MINUTE_BUCKET_TTL_SECONDS = 2 * 3600
HOUR_BUCKET_TTL_SECONDS = 8 * 24 * 3600
MINUTE_TREND_POINTS = 60
HOUR_TREND_POINTS = 48
LOCATION_TOP_SKILLS = 200  # skills per location kept in loc_top
MAX_LOCATIONS = 500
PAIR_SEPARATOR = "|"


class Keys:
    """Builds every serving-layer key of one namespace."""

    def __init__(self, namespace: str):
        if not namespace or any(c in namespace for c in "{}: "):
            raise ValueError(f"serving namespace must be non-empty without braces, colons or spaces: {namespace!r}")
        self.namespace = namespace
        self.prefix = f"{{{namespace}}}:"

        # Fixed keys; the parameterised ones are the methods below.
        self.meta = self._key("meta")
        self.skills = self._key("skills")
        self.locations = self._key("locations")
        self.location_top = self._key("loc_top")
        self.pairs = self._key("pairs")
        self.remote = self._key("remote")
        self.seniority = self._key("seniority")
        self.rejected = self._key("rejected")
        self.progress = self._key("progress")

    def _key(self, name: str) -> str:
        return self.prefix + name

    def fence(self, fence_id: str) -> str:
        return self._key(f"fence:{fence_id}")

    def location_skills(self, slug: str) -> str:
        return self._key(f"loc:{slug}:skills")

    def minute_skills(self, epoch_minute: int) -> str:
        return self._key(f"skills:m:{epoch_minute}")

    def hour_skills(self, epoch_hour: int) -> str:
        return self._key(f"skills:h:{epoch_hour}")

    def minute_postings(self, epoch_minute: int) -> str:
        return self._key(f"postings:m:{epoch_minute}")

    def hour_postings(self, epoch_hour: int) -> str:
        return self._key(f"postings:h:{epoch_hour}")


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


# One atomic step. Redis does not roll a script back, so every precondition that
# could make a write command fail (wrong key type, non-integer counter) is checked
# before the first write. The `#!lua` shebang makes Redis refuse the whole script
# up front when it is out of memory, instead of failing at the first write.
#
# KEYS[1] fence, KEYS[2] meta, KEYS[3] loc_top, KEYS[4..] the keys the plan uses.
# ARGV[1] batch id, ARGV[2] the plan as JSON:
#   z: [[key_index, [member, count, ...], ttl], ...]    ZINCRBY (+ EXPIRE when ttl > 0)
#   h: [[key_index, [field, count, ...]], ...]          HINCRBY
#   s: [[key_index, count, ttl], ...]                   INCRBY (+ EXPIRE)
#   top: [[key_index, slug], ...]                       refresh loc_top[slug] from that ZSET
#   meta: {postings, rejected, duplicates}, last_event_time: ISO string or false
_APPLY_BATCH_LUA = """#!lua
local batch_id = tonumber(ARGV[1])
local plan = cjson.decode(ARGV[2])

local function is_integer(value)
  return value == false or string.match(value, '^-?%d+$') ~= nil
end

local function require_type(key, expected)
  local actual = redis.call('TYPE', key)['ok']
  if actual ~= 'none' and actual ~= expected then
    return redis.error_reply('WRONGTYPE serving key ' .. key .. ' is a ' .. actual .. ', expected ' .. expected)
  end
end

local function require_integer_fields(key, fields)
  local values = redis.call('HMGET', key, unpack(fields))
  for i, value in ipairs(values) do
    if not is_integer(value) then
      return redis.error_reply('ERR serving hash ' .. key .. ' field ' .. fields[i] .. ' is not an integer')
    end
  end
end

local failure = require_type(KEYS[1], 'string') or require_type(KEYS[2], 'hash') or require_type(KEYS[3], 'hash')
if failure then return failure end
local applied = redis.call('GET', KEYS[1])
if not is_integer(applied) then
  return redis.error_reply('ERR fence ' .. KEYS[1] .. ' does not hold a batch id')
end
if applied and tonumber(applied) >= batch_id then
  return 0
end

failure = require_integer_fields(KEYS[2], {'postings', 'rejected', 'duplicates', 'batches_applied'})
if failure then return failure end
for _, op in ipairs(plan.z) do
  failure = require_type(KEYS[op[1]], 'zset')
  if failure then return failure end
end
for _, op in ipairs(plan.h) do
  local key, fields = KEYS[op[1]], {}
  failure = require_type(key, 'hash')
  if failure then return failure end
  for i = 1, #op[2], 2 do fields[#fields + 1] = op[2][i] end
  if #fields > 0 then
    failure = require_integer_fields(key, fields)
    if failure then return failure end
  end
end
for _, op in ipairs(plan.s) do
  local key = KEYS[op[1]]
  failure = require_type(key, 'string')
  if failure then return failure end
  if not is_integer(redis.call('GET', key)) then
    return redis.error_reply('ERR serving counter ' .. key .. ' is not an integer')
  end
end

for _, op in ipairs(plan.z) do
  local key, items = KEYS[op[1]], op[2]
  for i = 1, #items, 2 do redis.call('ZINCRBY', key, items[i + 1], items[i]) end
  if op[3] > 0 then redis.call('EXPIRE', key, op[3]) end
end
for _, op in ipairs(plan.h) do
  local key, items = KEYS[op[1]], op[2]
  for i = 1, #items, 2 do redis.call('HINCRBY', key, items[i], items[i + 1]) end
end
for _, op in ipairs(plan.s) do
  redis.call('INCRBY', KEYS[op[1]], op[2])
  if op[3] > 0 then redis.call('EXPIRE', KEYS[op[1]], op[3]) end
end
for _, op in ipairs(plan.top) do
  local top = redis.call('ZREVRANGE', KEYS[op[1]], 0, tonumber(ARGV[3]) - 1, 'WITHSCORES')
  redis.call('HSET', KEYS[3], op[2], cjson.encode(top))
end

local meta = KEYS[2]
redis.call('HINCRBY', meta, 'postings', plan.meta.postings)
redis.call('HINCRBY', meta, 'rejected', plan.meta.rejected)
redis.call('HINCRBY', meta, 'duplicates', plan.meta.duplicates)
redis.call('HINCRBY', meta, 'batches_applied', 1)
redis.call('HSET', meta, 'last_batch_id', ARGV[1])
if plan.last_event_time then
  local previous = redis.call('HGET', meta, 'last_event_time')
  if not previous or plan.last_event_time > previous then
    redis.call('HSET', meta, 'last_event_time', plan.last_event_time)
  end
end
local now = redis.call('TIME')
redis.call('HSET', meta, 'last_update_time', string.format('%d.%06d', now[1], now[2]))
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""


class _PlanBuilder:
    """Turns a BatchDelta into the script's KEYS list and JSON plan."""

    def __init__(self, keys: Keys, fence_id: str):
        self.keys = [keys.fence(fence_id), keys.meta, keys.location_top]
        self.plan: dict = {"z": [], "h": [], "s": [], "top": []}

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

    def incr(self, key: str, count: int, ttl: int) -> None:
        count = _count(key, count)
        if count:
            self.plan["s"].append([self._index(key), count, ttl])


def _count(what: str, value: int) -> int:
    """The count as a plain int (numpy/pandas integers welcome); anything else is a bug in the caller."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"serving delta {what}: must be a non-negative integer, got {value!r}")
    return int(value)


def _flatten(counts: dict[str, int]) -> list:
    items: list = []
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
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _pair_member(pair: tuple[str, str]) -> str:
    first, second = pair
    if not first < second or PAIR_SEPARATOR in first + second:
        raise ValueError(f"serving delta pair {pair!r}: must be sorted (a < b) and free of {PAIR_SEPARATOR!r}")
    return f"{first}{PAIR_SEPARATOR}{second}"


def _build_plan(keys: Keys, fence_id: str, delta: BatchDelta) -> _PlanBuilder:
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
    builder.plan["meta"] = {
        "postings": _count("postings", delta.postings),
        "rejected": _count("rejected", delta.rejected),
        "duplicates": _count("duplicates", delta.duplicates),
    }
    builder.plan["last_event_time"] = _iso_utc(delta.last_event_time) if delta.last_event_time else False
    return builder


def apply_batch(client: redis.Redis, namespace: str, fence_id: str, batch_id: int, delta: BatchDelta) -> bool:
    """Apply one micro-batch's deltas atomically; False (and no change) if this fence already applied batch_id.

    `fence_id` is the streaming query id (stable across restarts of one checkpoint).
    Any Redis error propagates so the batch fails and is retried.
    """
    batch_id = _count("batch_id", batch_id)
    if not fence_id:
        raise ValueError("fence_id must be non-empty (use the streaming query id)")
    builder = _build_plan(Keys(namespace), fence_id, delta)
    script = client.register_script(_APPLY_BATCH_LUA)
    applied = script(keys=builder.keys, args=[batch_id, json.dumps(builder.plan), LOCATION_TOP_SKILLS], client=client)
    return int(applied) == 1


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


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _int(value) -> int:
    return int(float(_text(value))) if value is not None else 0


def _scored(rows) -> list[tuple[str, int]]:
    return [(_text(member), _int(score)) for member, score in rows]


def _counts_of(names: tuple[str, ...], scores) -> dict[str, int]:
    """ZMSCORE answers (None for a member that was never counted) as exact counts."""
    return {name: _int(score) for name, score in zip(names, scores)}


def _top_list(encoded, limit: int) -> dict[str, int]:
    """One loc_top entry, JSON [skill, count, ...] as the write script stored it, cut to `limit` skills."""
    flat = json.loads(encoded)
    return dict(zip(flat[0:2 * limit:2], map(int, flat[1:2 * limit:2])))


def _int_hash(raw: dict) -> dict[str, int]:
    return {_text(k): _int(v) for k, v in raw.items()}


def _meta(raw: dict) -> Meta:
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
        return (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).timestamp()
    return float(now)


def _queue_trend(pipe, bucket_keys: list[str], postings_keys: list[str], trend_skills: tuple[str, ...] | None,
                 top_n: int) -> None:
    pipe.mget(postings_keys)
    if trend_skills == ():
        return
    for key in bucket_keys:
        if trend_skills:
            pipe.zmscore(key, list(trend_skills))
        else:
            pipe.zrevrange(key, 0, top_n - 1, withscores=True)


def _take_trend(results, buckets: list[int], seconds_per_bucket: int, trend_skills: tuple[str, ...] | None):
    postings = next(results)
    points = []
    for bucket, bucket_postings in zip(buckets, postings):
        if trend_skills == ():
            skills = {}
        elif trend_skills:
            skills = _counts_of(trend_skills, next(results))
        else:
            skills = dict(_scored(next(results)))
        start = datetime.fromtimestamp(bucket * seconds_per_bucket, tz=timezone.utc)
        points.append(TrendPoint(start=start, postings=_int(bucket_postings), skills=skills))
    return points


def read_snapshot(client: redis.Redis, namespace: str, *, top_n: int = 20, trend_skills: Iterable[str] | None = None,
                  now: float | datetime | None = None, focus: Focus | None = None,
                  location_top_n: int | None = None) -> Snapshot:
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
    _queue_trend(pipe, [keys.minute_skills(m) for m in minutes], [keys.minute_postings(m) for m in minutes],
                 trend_skills, top_n)
    _queue_trend(pipe, [keys.hour_skills(h) for h in hours], [keys.hour_postings(h) for h in hours],
                 trend_skills, top_n)
    if focus.skills:
        pipe.zmscore(keys.skills, list(focus.skills))
    if focus.places:
        pipe.zunion([keys.location_skills(slug) for slug in focus.places], withscores=True)
    if focus.cell_skills:
        for slug in focus.cell_places:
            pipe.zmscore(keys.location_skills(slug), list(focus.cell_skills))
    results = iter(pipe.execute())

    meta, top_skills, locations = next(results), next(results), next(results)
    location_top = next(results) if location_top_n else {}
    pairs, remote, seniority, rejected = (next(results) for _ in range(4))
    minute_trend = _take_trend(results, minutes, 60, trend_skills)
    hour_trend = _take_trend(results, hours, 3600, trend_skills)
    skill_counts = _counts_of(focus.skills, next(results)) if focus.skills else {}
    place_skill_counts = dict(_scored(next(results))) if focus.places else {}
    cells = ({slug: _counts_of(focus.cell_skills, next(results)) for slug in focus.cell_places}
             if focus.cell_skills else {})
    return Snapshot(
        meta=_meta(meta),
        top_skills=_scored(top_skills),
        locations=_scored(locations),
        location_skills={_text(slug): _top_list(encoded, location_top_n) for slug, encoded in location_top.items()},
        minute_trend=minute_trend,
        hour_trend=hour_trend,
        top_pairs=[(*_text(member).split(PAIR_SEPARATOR, 1), count) for member, count in _scored(pairs)],
        remote=_int_hash(remote),
        seniority=_int_hash(seniority),
        rejected_reasons=_int_hash(rejected),
        trend_skills=trend_skills,
        focus=focus,
        skill_counts=skill_counts,
        place_skill_counts=place_skill_counts,
        cells=cells,
    )


def delete_namespace(client: redis.Redis, namespace: str) -> int:
    """Delete every key of a serving namespace (tests, benchmarks, starting over); returns how many."""
    doomed = list(client.scan_iter(match=Keys(namespace).prefix + "*", count=1000))
    for start in range(0, len(doomed), 1000):
        client.delete(*doomed[start:start + 1000])
    return len(doomed)


def record_progress(client: redis.Redis, namespace: str, query: str, report: dict) -> None:
    """The last finished batch of one of the job's queries (Spark's durations, the sink's counts), for people."""
    client.hset(Keys(namespace).progress, query, json.dumps(report, default=str))


def read_progress(client: redis.Redis, namespace: str) -> dict[str, dict]:
    return {_text(query): json.loads(report) for query, report in client.hgetall(Keys(namespace).progress).items()}


def stats_json(client: redis.Redis, namespace: str) -> dict:
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
        "locations": {slug: dict(_scored(rows)) for slug, rows in zip(slugs, location_rows)},
        "last_batch_id": meta.last_batch_id,
    }


def redis_client(settings: "Settings") -> redis.Redis:
    """The serving-layer client: URL (redis:// or rediss:// for TLS) + AUTH token from settings.

    A password inside the URL wins over PULSE_REDIS_PASSWORD / the secret ARN.
    """
    password = settings.resolved_redis_password() or None
    return redis.Redis.from_url(
        settings.redis_url,
        password=password,
        decode_responses=True,
        socket_connect_timeout=5,
        socket_timeout=30,
        health_check_interval=30,
    )


def redacted_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:****@{parts.hostname}" + (f":{parts.port}" if parts.port else "")))
