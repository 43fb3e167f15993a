"""The serving layer against the real redis-server of the local stack.

Each test works in its own namespace (fixture `isolated_settings`), so the
shared server is never polluted beyond `{test-...}` keys, which are removed at
the end.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import replace

import pytest
import redis
from redis.crc import key_slot
from serving_support import delete_namespace

from talent_pulse.serving import (
    HOUR_BUCKET_TTL_SECONDS,
    MINUTE_BUCKET_TTL_SECONDS,
    BatchDelta,
    Focus,
    Keys,
    apply_batch,
    read_snapshot,
    redis_client,
    stats_json,
)
from talent_pulse.serving.keys import SEEN_TTL_SECONDS
from talent_pulse.serving.seen import ingest_bucket, seen_before, window_buckets
from talent_pulse.settings import Settings

pytestmark = pytest.mark.integration

SKILLS = ["Python", "SQL", "Java", "JavaScript", "Go", "C++", "C#", "Rust", "Apache Spark", "Kafka"]
SLUGS = ["berlin-de", "paris-fr", "new-york-us", "remote"]
NOW = 1_795_000_000.0  # a fixed "now" so bucket keys are predictable
PULSE = [shutil.which("pulse") or "pulse"]


@pytest.fixture
def namespace(isolated_settings):
    yield isolated_settings.serving_namespace
    delete_namespace(redis.Redis.from_url(isolated_settings.redis_url), isolated_settings.serving_namespace)


@pytest.fixture
def client(isolated_settings):
    with redis_client(isolated_settings) as connection:
        yield connection


@pytest.fixture
def raw(isolated_settings):
    """A client returning bytes, for DUMP."""
    with redis.Redis.from_url(isolated_settings.redis_url) as connection:
        yield connection


def _namespace_keys(raw_client, namespace: str) -> list:
    return sorted(raw_client.scan_iter(match=f"*{namespace}*", count=1000))


def _dump(raw_client, namespace: str) -> dict:
    """Byte-for-byte serialisation of every key of the namespace."""
    return {key: raw_client.dump(key) for key in _namespace_keys(raw_client, namespace)}


def random_delta(rng: random.Random) -> BatchDelta:
    """A self-consistent batch built from random postings, like the job would aggregate it."""
    delta = BatchDelta(rejected=rng.randint(0, 3), duplicates=rng.randint(0, 2))
    minute_skills, hour_skills = defaultdict(Counter), defaultdict(Counter)
    location_skills = defaultdict(Counter)
    skills, locations, pairs = Counter(), Counter(), Counter()
    minute_postings, hour_postings, remote, seniority = Counter(), Counter(), Counter(), Counter()
    latest = 0.0
    seen = defaultdict(list)
    for _ in range(rng.randint(1, 30)):
        event_time = NOW - rng.randint(0, 3 * 3600)
        latest = max(latest, event_time)
        seen[ingest_bucket(int(NOW) - rng.randint(0, 1200))].append(f"event-{rng.getrandbits(64):x}")
        posting_skills = sorted(rng.sample(SKILLS, rng.randint(0, 4)))
        slug = rng.choice(SLUGS)
        delta.postings += 1
        locations[slug] += 1
        minute_postings[int(event_time // 60)] += 1
        hour_postings[int(event_time // 3600)] += 1
        remote[rng.choice(["remote", "onsite", "unknown"])] += 1
        seniority[rng.choice(["junior", "mid", "senior"])] += 1
        for skill in posting_skills:
            skills[skill] += 1
            location_skills[slug][skill] += 1
            minute_skills[int(event_time // 60)][skill] += 1
            hour_skills[int(event_time // 3600)][skill] += 1
        for i, first in enumerate(posting_skills):
            for second in posting_skills[i + 1 :]:
                pairs[(first, second)] += 1
    reasons = Counter(rng.choice(["invalid_json", "missing_field", "wrong_type"]) for _ in range(delta.rejected))
    return replace(
        delta,
        skills=dict(skills),
        locations=dict(locations),
        location_skills={slug: dict(counts) for slug, counts in location_skills.items()},
        minute_skills={m: dict(c) for m, c in minute_skills.items()},
        hour_skills={h: dict(c) for h, c in hour_skills.items()},
        minute_postings=dict(minute_postings),
        hour_postings=dict(hour_postings),
        pairs=dict(pairs),
        remote=dict(remote),
        seniority=dict(seniority),
        rejected_reasons=dict(reasons),
        last_event_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(latest)),
        seen=dict(seen),
    )


def summed(deltas: list[BatchDelta]) -> dict:
    """Ground truth: the deltas added up in Python, independently of the module."""
    total: dict = defaultdict(Counter)
    nested: dict = defaultdict(lambda: defaultdict(Counter))
    for delta in deltas:
        for name in ("postings", "rejected", "duplicates"):
            total["meta"][name] += getattr(delta, name)
        for name in (
            "skills",
            "locations",
            "minute_postings",
            "hour_postings",
            "pairs",
            "remote",
            "seniority",
            "rejected_reasons",
        ):
            total[name].update(getattr(delta, name))
        for name in ("location_skills", "minute_skills", "hour_skills"):
            for outer, counts in getattr(delta, name).items():
                nested[name][outer].update(counts)
    return {**total, **nested}


def apply_random_batches(client, namespace: str, seed: int, batches: int) -> dict:
    """Applies random batches as one streaming query would; returns their ground truth."""
    rng = random.Random(seed)
    deltas = [random_delta(rng) for _ in range(batches)]
    for batch_id, delta in enumerate(deltas):
        apply_batch(client, namespace, "query-a", batch_id, delta)
    return summed(deltas)


def _zset(client, key: str) -> dict:
    return {member: int(score) for member, score in client.zrange(key, 0, -1, withscores=True)}


def _ints(mapping: dict) -> dict:
    return {key: int(value) for key, value in mapping.items()}


def test_batches_add_up_to_every_counter(client, namespace):
    rng = random.Random(3)
    deltas = [random_delta(rng) for _ in range(6)]
    for batch_id, delta in enumerate(deltas):
        assert apply_batch(client, namespace, "query-a", batch_id, delta) is True
    truth, keys = summed(deltas), Keys(namespace)

    assert _zset(client, keys.skills) == truth["skills"]
    assert _zset(client, keys.locations) == truth["locations"]
    for slug, counts in truth["location_skills"].items():
        assert _zset(client, keys.location_skills(slug)) == counts
    for minute, counts in truth["minute_skills"].items():
        assert _zset(client, keys.minute_skills(minute)) == counts
    for hour, counts in truth["hour_skills"].items():
        assert _zset(client, keys.hour_skills(hour)) == counts
    for minute, count in truth["minute_postings"].items():
        assert int(client.get(keys.minute_postings(minute))) == count
    for hour, count in truth["hour_postings"].items():
        assert int(client.get(keys.hour_postings(hour))) == count
    assert _zset(client, keys.pairs) == {f"{a}|{b}": n for (a, b), n in truth["pairs"].items()}
    assert _ints(client.hgetall(keys.remote)) == truth["remote"]
    assert _ints(client.hgetall(keys.seniority)) == truth["seniority"]
    assert _ints(client.hgetall(keys.rejected)) == truth["rejected_reasons"]

    meta = client.hgetall(keys.meta)
    assert {name: int(meta[name]) for name in ("postings", "rejected", "duplicates")} == truth["meta"]
    assert int(meta["batches_applied"]) == len(deltas)
    assert int(meta["last_batch_id"]) == len(deltas) - 1
    latest = max(d.last_event_time for d in deltas)
    assert meta["last_event_time"] == latest.replace("Z", ".000000Z")
    server_seconds, _ = client.time()
    assert server_seconds - 5 <= float(meta["last_update_time"]) <= server_seconds + 1
    assert int(client.get(keys.fence("query-a"))) == len(deltas) - 1


def test_last_event_time_keeps_the_latest_across_batches(client, namespace):
    apply_batch(client, namespace, "q", 0, BatchDelta(last_event_time="2026-05-01T10:00:00.5+00:00"))
    apply_batch(client, namespace, "q", 1, BatchDelta(last_event_time="2026-05-01T09:00:00Z"))
    apply_batch(client, namespace, "q", 2, BatchDelta())
    assert read_snapshot(client, namespace).meta.last_event_time == "2026-05-01T10:00:00.500000Z"


def test_delete_namespace_removes_only_that_namespace(client, raw, namespace):
    apply_batch(
        client,
        namespace,
        "q",
        0,
        BatchDelta(
            postings=2, skills={"Python": 2}, locations={"berlin-de": 2}, location_skills={"berlin-de": {"Python": 2}}
        ),
    )
    neighbour = namespace + "-neighbour"
    apply_batch(client, neighbour, "q", 0, BatchDelta(postings=1, skills={"SQL": 1}))
    written = len(_namespace_keys(raw, namespace)) - len(_namespace_keys(raw, neighbour))
    assert written > 3
    assert delete_namespace(client, namespace) == written
    assert read_snapshot(client, namespace).meta.postings == 0
    assert read_snapshot(client, neighbour).meta.postings == 1
    assert delete_namespace(client, neighbour) > 0
    assert _namespace_keys(raw, namespace) == []


def test_replayed_batch_changes_nothing(client, raw, namespace):
    rng = random.Random(7)
    for batch_id in range(3):
        apply_batch(client, namespace, "query-a", batch_id, random_delta(rng))
    before = _dump(raw, namespace)
    ttl_before = {key: raw.pttl(key) for key in before}

    replays = [apply_batch(client, namespace, "query-a", batch_id, random_delta(rng)) for batch_id in (2, 0, 1, 2)]

    assert replays == [False] * 4
    assert _dump(raw, namespace) == before
    # A replay must not refresh bucket expiry either.
    assert all(raw.pttl(key) <= ttl_before[key] for key in before)


def test_seen_ids_are_found_within_the_window_and_only_there(client, namespace):
    now = int(NOW)
    counted = {ingest_bucket(now - 3000): ["early"], ingest_bucket(now): ["late", "later"]}
    assert apply_batch(client, namespace, "query-a", 0, BatchDelta(postings=3, seen=counted))
    ids = ["early", "late", "never", "later"] + [f"other-{n}" for n in range(12_000)]  # several commands per bucket

    found = seen_before(client, namespace, ids, window_buckets(now, now))
    assert found[:4].tolist() == [True, True, False, True] and not found[4:].any()
    # an hour after the early id, the window no longer reaches its bucket; the late ones are still in it
    assert seen_before(client, namespace, ["early", "late"], window_buckets(now + 2400, now + 2400)).tolist() == [
        False,
        True,
    ]
    assert seen_before(client, namespace, [], window_buckets(now, now)).tolist() == []
    # a replayed batch adds nothing
    assert not apply_batch(client, namespace, "query-a", 0, BatchDelta(postings=1, seen={ingest_bucket(now): ["x"]}))
    assert not seen_before(client, namespace, ["x"], window_buckets(now, now)).any()


def test_fences_are_independent(client, namespace):
    delta = BatchDelta(postings=2, skills={"Python": 2})
    assert apply_batch(client, namespace, "old-checkpoint", 41, delta)
    # A new checkpoint (new query id) starts again at batch 0 and must not be mistaken for a replay.
    assert apply_batch(client, namespace, "new-checkpoint", 0, delta)
    assert not apply_batch(client, namespace, "new-checkpoint", 0, delta)
    assert not apply_batch(client, namespace, "old-checkpoint", 41, delta)
    assert apply_batch(client, namespace, "old-checkpoint", 42, delta)
    assert stats_json(client, namespace)["postings"] == 6
    assert stats_json(client, namespace)["skills"] == {"Python": 6}


CORRUPTIONS = {
    "zset key holds a string": lambda c, k: c.set(k.pairs, "not a zset"),
    "hash key holds a list": lambda c, k: c.delete(k.seniority) + c.rpush(k.seniority, "x"),
    "bucket counter is not an integer": lambda c, k: c.set(k.hour_postings(int(NOW // 3600)), "many"),
    "hash counter is not an integer": lambda c, k: c.hset(k.rejected, "invalid_json", "lots"),
    "meta counter is not an integer": lambda c, k: c.hset(k.meta, "duplicates", "?"),
    "fence is not a batch id": lambda c, k: c.set(k.fence("query-a"), "yesterday"),
    "loc_top is not a hash": lambda c, k: c.set(k.location_top, "x"),
    "seen set holds a string": lambda c, k: c.set(k.seen(ingest_bucket(int(NOW))), "x"),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_failing_batch_leaves_no_partial_increment(client, raw, namespace, corruption):
    keys = Keys(namespace)
    apply_batch(client, namespace, "query-a", 0, random_delta(random.Random(1)))
    CORRUPTIONS[corruption](client, keys)
    delta = random_delta(random.Random(2))
    delta.hour_postings[int(NOW // 3600)] = 1
    delta.rejected_reasons["invalid_json"] = 1
    delta.seen[ingest_bucket(int(NOW))] = ["one-more-event"]
    before = _dump(raw, namespace)

    with pytest.raises(redis.ResponseError):
        apply_batch(client, namespace, "query-a", 1, delta)

    assert _dump(raw, namespace) == before


def test_bad_delta_is_refused_before_reaching_redis(client, raw, namespace):
    for delta in (
        BatchDelta(skills={"Python": -1}),
        BatchDelta(pairs={("SQL", "Python"): 1}),
        BatchDelta(pairs={("A|B", "C"): 1}),
        BatchDelta(postings=1.5),
    ):
        with pytest.raises(ValueError):
            apply_batch(client, namespace, "query-a", 0, delta)
    with pytest.raises(ValueError):
        apply_batch(client, namespace, "query-a", -1, BatchDelta())
    assert _namespace_keys(raw, namespace) == []


def test_bucket_keys_expire_and_totals_do_not(client, raw, namespace):
    apply_batch(client, namespace, "query-a", 0, random_delta(random.Random(5)))
    ttls = {key.decode(): raw.ttl(key) for key in _namespace_keys(raw, namespace)}
    buckets = {key: ttl for key, ttl in ttls.items() if ":m:" in key or ":h:" in key or ":seen:" in key}
    assert all(any(kind in key for key in buckets) for kind in (":m:", ":h:", ":seen:"))
    for key, ttl in buckets.items():
        limit = {":m:": MINUTE_BUCKET_TTL_SECONDS, ":h:": HOUR_BUCKET_TTL_SECONDS, ":seen:": SEEN_TTL_SECONDS}[
            next(kind for kind in (":m:", ":h:", ":seen:") if kind in key)
        ]
        assert limit - 60 < ttl <= limit, key
    assert all(ttl == -1 for key, ttl in ttls.items() if key not in buckets)


class CountingConnection(redis.Connection):
    """Counts socket writes: one per round trip (a pipeline sends all its commands at once)."""

    sends = 0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.sends += 1
        return super().send_packed_command(command, check_health)


@pytest.fixture
def counted(isolated_settings):
    """A client whose round trips are counted in CountingConnection.sends (zero when the test starts)."""
    pool = redis.ConnectionPool.from_url(
        isolated_settings.redis_url, connection_class=CountingConnection, decode_responses=True
    )
    connection = redis.Redis(connection_pool=pool)
    connection.ping()
    CountingConnection.sends = 0
    yield connection
    pool.disconnect()


def test_read_snapshot_returns_what_was_written_in_one_round_trip(client, counted, namespace):
    truth = apply_random_batches(client, namespace, seed=11, batches=4)

    snapshot = read_snapshot(counted, namespace, top_n=3, now=NOW)

    assert CountingConnection.sends == 1
    assert snapshot.meta.postings == truth["meta"]["postings"]
    assert snapshot.meta.rejected == truth["meta"]["rejected"]
    assert snapshot.meta.duplicates == truth["meta"]["duplicates"]
    assert snapshot.meta.last_batch_id == 3 and snapshot.meta.batches_applied == 4
    assert snapshot.top_skills == sorted(truth["skills"].items(), key=lambda kv: (-kv[1], _rev(kv[0])))[:3]
    assert dict(snapshot.locations) == truth["locations"]
    for slug, counts in truth["location_skills"].items():
        expected = sorted(counts.items(), key=lambda kv: (-kv[1], _rev(kv[0])))[:3]
        assert list(snapshot.location_skills[slug].items()) == expected
    assert [(a, b, n) for a, b, n in snapshot.top_pairs] == [
        (a, b, n) for (a, b), n in sorted(truth["pairs"].items(), key=lambda kv: (-kv[1], _rev("|".join(kv[0]))))[:3]
    ]
    assert snapshot.remote == truth["remote"] and snapshot.seniority == truth["seniority"]
    assert snapshot.rejected_reasons == truth["rejected_reasons"]

    assert len(snapshot.minute_trend) == 60 and len(snapshot.hour_trend) == 48
    assert snapshot.minute_trend[-1].start.timestamp() == NOW // 60 * 60
    assert snapshot.hour_trend[-1].start.timestamp() == NOW // 3600 * 3600
    for point in snapshot.hour_trend:
        hour = int(point.start.timestamp() // 3600)
        assert point.postings == truth["hour_postings"].get(hour, 0)
        expected = sorted(truth["hour_skills"].get(hour, {}).items(), key=lambda kv: (-kv[1], _rev(kv[0])))[:3]
        assert list(point.skills.items()) == expected
    assert sum(p.postings for p in snapshot.minute_trend) == sum(
        n for m, n in truth["minute_postings"].items() if m > NOW // 60 - 60
    )

    chosen = read_snapshot(client, namespace, trend_skills=["Python", "Cobol"], now=NOW)
    for point in chosen.minute_trend:
        minute = int(point.start.timestamp() // 60)
        counts = truth["minute_skills"].get(minute, {})
        assert point.skills == {"Python": counts.get("Python", 0), "Cobol": 0}


def test_focus_reads_exact_counts_beyond_every_top_list_in_the_same_round_trip(client, counted, namespace):
    truth = apply_random_batches(client, namespace, seed=17, batches=5)
    places = ("berlin-de", "paris-fr", "nowhere-xx")  # a location never counted adds nothing
    cell_skills = ("Kafka", "Rust", "Cobol")
    focus = Focus(skills=("Go", "Cobol"), places=places, cell_places=("berlin-de", "remote"), cell_skills=cell_skills)

    # top_n=1 and no per-location top lists: every focused count must come from the full ZSETs.
    snapshot = read_snapshot(counted, namespace, top_n=1, trend_skills=(), focus=focus, location_top_n=0, now=NOW)

    assert CountingConnection.sends == 1
    assert snapshot.focus == focus and snapshot.trend_skills == ()
    assert snapshot.skill_counts == {"Go": truth["skills"].get("Go", 0), "Cobol": 0}
    in_places = Counter()
    for slug in places:
        in_places.update(truth["location_skills"].get(slug, {}))
    assert snapshot.place_skill_counts == dict(in_places)
    assert snapshot.cells == {
        slug: {skill: truth["location_skills"].get(slug, {}).get(skill, 0) for skill in cell_skills}
        for slug in ("berlin-de", "remote")
    }
    assert snapshot.location_skills == {}
    assert all(point.skills == {} for point in snapshot.minute_trend + snapshot.hour_trend)
    assert sum(point.postings for point in snapshot.hour_trend) == sum(
        n for h, n in truth["hour_postings"].items() if h > NOW // 3600 - 48
    )


class _Reversed(str):
    """Sort key that reverses string order (ZREVRANGE breaks score ties by member, descending)."""

    def __lt__(self, other):
        return str.__gt__(self, other)


def _rev(text: str) -> _Reversed:
    return _Reversed(text)


def test_stats_json_shape_and_totals(isolated_settings, client, namespace):
    assert stats_json(client, namespace) == {
        "postings": 0,
        "rejected": 0,
        "duplicates": 0,
        "skills": {},
        "locations": {},
        "last_batch_id": None,
    }
    truth = apply_random_batches(client, namespace, seed=13, batches=3)
    expected = {
        **truth["meta"],
        "skills": dict(truth["skills"]),
        "locations": {slug: dict(truth["location_skills"].get(slug, {})) for slug in truth["locations"]},
        "last_batch_id": 2,
    }
    assert stats_json(client, namespace) == expected
    with redis.Redis.from_url(isolated_settings.redis_url) as bytes_client:
        assert stats_json(bytes_client, namespace) == expected

    env = {**os.environ, "PULSE_REDIS_URL": isolated_settings.redis_url, "PULSE_SERVING_NAMESPACE": namespace}
    printed = subprocess.run([*PULSE, "stats", "--json"], env=env, capture_output=True, text=True, check=True)
    assert json.loads(printed.stdout) == expected
    table = subprocess.run([*PULSE, "stats", "--top", "2"], env=env, capture_output=True, text=True, check=True).stdout
    top_skill, top_count = read_snapshot(client, namespace, top_n=1).top_skills[0]
    assert f"postings {truth['meta']['postings']}" in table
    assert top_skill in table and str(top_count) in table


def test_pulse_stats_explains_an_unreachable_redis():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    env = {**os.environ, "PULSE_REDIS_URL": f"redis://:hunter2@127.0.0.1:{free_port}/0"}
    result = subprocess.run([*PULSE, "stats"], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert f"cannot reach Redis at redis://:****@127.0.0.1:{free_port}/0" in result.stderr
    assert "pulse local up" in result.stderr and "hunter2" not in result.stderr


def test_every_key_shares_the_namespace_hash_tag(isolated_settings, raw, namespace):
    declared: list[str] = []

    class Recording(redis.Redis):
        def execute_command(self, *args, **options):
            if args[0] in ("EVALSHA", "EVAL"):
                declared.extend(args[3 : 3 + int(args[2])])
            return super().execute_command(*args, **options)

    with Recording.from_url(isolated_settings.redis_url, decode_responses=True) as recording:
        rng = random.Random(17)
        for batch_id in range(3):
            apply_batch(recording, namespace, "query-a", batch_id, random_delta(rng))

    written = [key.decode() for key in _namespace_keys(raw, namespace)]
    prefix = f"{{{namespace}}}:"
    assert declared and written
    assert set(written) <= set(declared), "the script wrote a key it did not declare"
    assert all(key.startswith(prefix) for key in declared + written)
    assert {key_slot(key.encode()) for key in declared + written} == {key_slot(prefix.encode())}


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def secured_redis(tmp_path):
    """A private redis-server with AUTH and TLS only, on free ports; stopped at the end."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test certificate: apt-get install -y openssl")
    run = lambda *cmd: subprocess.run(cmd, check=True, capture_output=True, cwd=tmp_path)  # noqa: E731
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            "0",
            "--tls-port",
            str(port),
            "--requirepass",
            "s3cret",
            "--tls-cert-file",
            "cert.pem",
            "--tls-key-file",
            "key.pem",
            "--tls-ca-cert-file",
            "cert.pem",
            "--tls-auth-clients",
            "no",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers(port):
            assert time.monotonic() < deadline and server.poll() is None, "private redis-server did not start"
            time.sleep(0.05)
        yield f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={tmp_path / 'cert.pem'}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_redis_client_speaks_tls_and_auth(secured_redis):
    settings = Settings.from_env({}, redis_url=secured_redis, redis_password="s3cret", serving_namespace="tls")
    with redis_client(settings) as client:
        assert apply_batch(client, "tls", "q", 0, BatchDelta(postings=1, skills={"Rust": 1}))
        assert stats_json(client, "tls")["skills"] == {"Rust": 1}
    with redis_client(replace(settings, redis_password="wrong")) as client, pytest.raises(redis.AuthenticationError):
        client.ping()
    env = {**os.environ, "PULSE_REDIS_URL": secured_redis, "PULSE_REDIS_PASSWORD": "wrong"}
    result = subprocess.run([*PULSE, "stats"], env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "refused the credentials" in result.stderr


def test_numpy_integers_from_pandas_aggregations_are_accepted(client, namespace):
    import numpy as np

    delta = BatchDelta(postings=np.int64(2), skills={"Go": np.int64(2)}, minute_postings={np.int64(29_000_000): 2})
    assert apply_batch(client, namespace, "query-a", np.int64(0), delta)
    assert stats_json(client, namespace)["skills"] == {"Go": 2}
    assert int(client.get(Keys(namespace).minute_postings(29_000_000))) == 2
