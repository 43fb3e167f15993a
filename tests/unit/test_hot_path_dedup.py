"""The hot path's dedup on the driver (`hot_path.first_counts`) against a plain Python reading of the rule:
a posting counts once per event_id, unless a batch before it counted that id within the dedup window."""

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from talent_pulse.serving.keys import DEDUP_WINDOW_SECONDS, SEEN_BUCKET_SECONDS
from talent_pulse.serving.seen import ingest_bucket, window_buckets
from talent_pulse.stream.hot_path import first_counts

SCHEMA = pa.schema([("reason_code", pa.string()), ("event_id", pa.string()), ("ingested_seconds", pa.int64())])
NOW = 1_796_000_000

record = st.one_of(
    st.tuples(st.none(), st.sampled_from([f"id-{n}" for n in range(8)]), st.integers(NOW - 900, NOW)),
    st.tuples(st.sampled_from(["malformed_json", "bad_value"]), st.just("@:t:0:1"), st.integers(NOW - 900, NOW)),
)


def table(rows):
    return pa.Table.from_pylist(
        [dict(zip(("reason_code", "event_id", "ingested_seconds"), row, strict=True)) for row in rows], schema=SCHEMA
    )


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(record, max_size=30), counted_before=st.sets(st.sampled_from([f"id-{n}" for n in range(8)])))
def test_each_posting_counts_once_and_rejects_always(rows, counted_before):
    asked = []

    def seen(event_ids, buckets):
        asked.append((sorted(event_ids), buckets))
        return np.array([event_id in counted_before for event_id in event_ids], dtype=bool)

    kept, added = first_counts(table(rows), seen)

    expected, firsts = [], set()
    for reason, event_id, ingested in rows:
        if reason is not None:
            expected.append((reason, event_id, ingested))
        elif event_id not in firsts:
            firsts.add(event_id)
            if event_id not in counted_before:
                expected.append((reason, event_id, ingested))
    assert [tuple(r.values()) for r in kept.to_pylist()] == expected  # batch order kept
    assert {bucket: sorted(ids) for bucket, ids in added.items()} == {
        bucket: sorted(e for r, e, i in expected if r is None and ingest_bucket(i) == bucket)
        for bucket in {ingest_bucket(i) for r, _, i in expected if r is None}
    }
    first_seen = {}
    for reason, event_id, ingested in rows:
        if reason is None:
            first_seen.setdefault(event_id, ingested)
    if first_seen:
        [(ids, buckets)] = asked
        assert ids == sorted(first_seen)
        assert buckets.start <= ingest_bucket(min(first_seen.values()) - DEDUP_WINDOW_SECONDS)
        assert buckets.stop - 1 == ingest_bucket(max(first_seen.values()))
    else:
        assert asked == []


def test_window_covers_an_hour_before_the_oldest_record():
    buckets = window_buckets(NOW - 30, NOW)
    assert len(buckets) >= DEDUP_WINDOW_SECONDS // SEEN_BUCKET_SECONDS + 1
    assert ingest_bucket(NOW - 30 - DEDUP_WINDOW_SECONDS) in buckets and ingest_bucket(NOW) in buckets
