"""The hot path's batch summary (Arrow group-bys and numpy pair counts) against plain Python counting."""

from collections import Counter
from itertools import combinations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from talent_pulse.stream.hot_path import REMOTE_LABELS, summarise_facts

SKILLS = ["AWS", "C++", "Go", "Kubernetes", "Python", "R", "Rust", "SQL", "Ärger", "日本語"]
LOCATIONS = ["berlin-de", "paris-fr", "remote-global"]

posting = st.fixed_dictionaries(
    {
        "reason_code": st.none(),
        "location": st.sampled_from(LOCATIONS),
        "skills": st.lists(st.sampled_from(SKILLS), unique=True).map(sorted),
        "remote": st.sampled_from([True, False, None]),
        "seniority": st.sampled_from(["senior", "junior", None]),
        "minute": st.integers(29_000_000, 29_000_200),
        "event_time": st.sampled_from(["2026-11-30T10:00:00Z", "2026-11-30T11:59:59Z", "2026-12-01T00:00:00Z"]),
    }
)
reject = st.fixed_dictionaries({"reason_code": st.sampled_from(["malformed_json", "bad_value", "processing_error"])})
SCHEMA = pa.schema(
    [
        ("reason_code", pa.string()),
        ("location", pa.string()),
        ("skills", pa.list_(pa.string())),
        ("remote", pa.bool_()),
        ("seniority", pa.string()),
        ("minute", pa.int64()),
        ("event_time", pa.string()),
    ]
)


@settings(max_examples=150, deadline=None)
@given(postings=st.lists(posting, max_size=40), rejects=st.lists(reject, max_size=5), duplicates=st.integers(0, 3))
def test_summary_equals_python_counting(postings, rejects, duplicates):
    rows = postings + rejects
    facts = pa.Table.from_pylist(rows, schema=SCHEMA)
    delta = summarise_facts(facts, records_read=len(rows) + duplicates)

    mentions = [(p["location"], p["minute"], skill) for p in postings for skill in p["skills"]]
    assert (delta.postings, delta.rejected, delta.duplicates) == (len(postings), len(rejects), duplicates)
    assert delta.skills == dict(Counter(skill for _, _, skill in mentions))
    assert delta.location_skills == _nested(Counter((loc, skill) for loc, _, skill in mentions))
    assert delta.minute_skills == _nested(Counter((minute, skill) for _, minute, skill in mentions))
    assert delta.hour_skills == _nested(Counter((minute // 60, skill) for _, minute, skill in mentions))
    assert delta.locations == dict(Counter(p["location"] for p in postings))
    assert delta.minute_postings == dict(Counter(p["minute"] for p in postings))
    assert delta.hour_postings == dict(Counter(p["minute"] // 60 for p in postings))
    assert delta.pairs == dict(Counter(pair for p in postings for pair in combinations(p["skills"], 2)))
    assert delta.remote == dict(Counter(REMOTE_LABELS[p["remote"]] for p in postings))
    assert delta.seniority == dict(Counter(p["seniority"] or "unknown" for p in postings))
    assert delta.rejected_reasons == dict(Counter(r["reason_code"] for r in rejects))
    assert delta.last_event_time == max((p["event_time"] for p in postings), default=None)


def test_pairs_are_counted_across_chunks_and_with_empty_lists():
    facts = pa.concat_tables(
        [
            pa.Table.from_pylist([{"location": "paris-fr", "skills": ["Go", "SQL"], "minute": 1}], schema=SCHEMA),
            pa.Table.from_pylist(
                [
                    {"location": "paris-fr", "skills": [], "minute": 1},
                    {"location": "paris-fr", "skills": ["AWS", "Go", "SQL"], "minute": 2},
                ],
                schema=SCHEMA,
            ),
        ]
    )
    assert summarise_facts(facts, records_read=3).pairs == {("Go", "SQL"): 2, ("AWS", "Go"): 1, ("AWS", "SQL"): 1}


def _nested(flat: Counter) -> dict:
    nested: dict = {}
    for (outer, inner), count in flat.items():
        nested.setdefault(outer, {})[inner] = count
    return nested
