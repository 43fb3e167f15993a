"""Sources behind one interface: synthetic (clocked generator) and replay (JSON lines, filled and checked)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import islice

from talent_pulse.contract import encode_event, validate_record
from talent_pulse.sources import ReplaySource, SyntheticSource

FIXED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
AD = {
    "title": "Data Engineer",
    "company": "Acme",
    "location": "Berlin, Germany",
    "job_id": "A-1",
    "description": "We use Apache Kafka and Python.",
    "skills": ["Python", "Apache Kafka"],
}


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join(lines) + "\n\n")
    return path


def test_synthetic_postings_are_stamped_by_the_clock():
    ticks = iter(FIXED + timedelta(seconds=i) for i in range(10))
    postings = list(islice(SyntheticSource(seed=3, clock=lambda: next(ticks)).postings(), 3))
    assert [p.event["event_time"] for p in postings] == [
        "2026-05-01T12:00:00.000Z",
        "2026-05-01T12:00:01.000Z",
        "2026-05-01T12:00:02.000Z",
    ]


def test_replay_fills_what_scrapers_leave_out_and_keeps_labels_as_truth(tmp_path):
    full = {**AD, "event_id": "e-1", "event_time": "2025-12-24T08:00:00Z", "source": "board"}
    path = _write(tmp_path, [json.dumps(full), json.dumps(AD)])
    source = ReplaySource(path, clock=lambda: FIXED)
    first, second = source.postings()
    assert first.event["event_id"] == "e-1" and first.event["event_time"] == "2025-12-24T08:00:00Z"
    assert first.skills == ("Apache Kafka", "Python") and first.location_slug == "berlin-de"
    assert second.event["source"] == "replay" and second.event["event_time"] == "2026-05-01T12:00:00.000Z"
    replayed_again = list(ReplaySource(path, clock=lambda: FIXED + timedelta(hours=1)).postings())
    assert replayed_again[1].event["event_id"] == second.event["event_id"]  # derived from the line: counts once
    for posting in (first, second):
        assert "skills" not in json.loads(encode_event(posting.event)[1])
        validate_record(encode_event(posting.event)[1])
    assert source.report()["skipped"] == 0


def test_replay_retime_stamps_every_posting_with_now(tmp_path):
    path = _write(tmp_path, [json.dumps({**AD, "event_time": "2020-01-01T00:00:00Z"})])
    (posting,) = ReplaySource(path, retime=True, clock=lambda: FIXED).postings()
    assert posting.event["event_time"] == "2026-05-01T12:00:00.000Z"


def test_replay_skips_and_counts_lines_that_break_the_contract(tmp_path):
    lines = [
        "{not json",
        "[1, 2]",
        json.dumps({**AD, "remote": "yes"}),
        json.dumps({"title": "only a title"}),
        json.dumps(AD),
    ]
    source = ReplaySource(_write(tmp_path, lines))
    postings = list(source.postings())
    assert len(postings) == 1 and postings[0].event["title"] == "Data Engineer"
    report = source.report()
    assert report["skipped_by_reason"] == {"malformed_json": 1, "not_an_object": 1, "wrong_type": 1, "missing_field": 1}
    assert report["skip_samples"][0].startswith(f"{tmp_path / 'ads.jsonl'}:1: malformed_json")


def test_unlabelled_replayed_postings_have_unknown_skills(tmp_path):
    unlabelled = {k: v for k, v in AD.items() if k != "skills"}
    (posting,) = ReplaySource(_write(tmp_path, [json.dumps(unlabelled)])).postings()
    assert posting.truth()["skills"] is None and posting.truth(description_removed=True)["skills"] is None
