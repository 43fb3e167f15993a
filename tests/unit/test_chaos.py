"""Chaos records carry the contract reason code they must be rejected with; valid kinds stay valid."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from talent_pulse.chaos import CHAOS_KINDS, CLEAN, CORRUPTIONS, EXPECTED_CODE, VALID_KINDS, ChaosInjector
from talent_pulse.contract import REASON_CODES, Rejection, parse_timestamp, validate_record
from talent_pulse.generator import PostingGenerator

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def postings():
    generator = PostingGenerator(seed=7)
    return [generator.generate(START + timedelta(seconds=i)) for i in range(300)]


def _outcome(value: bytes) -> str | None:
    try:
        validate_record(value)
    except Rejection as rejection:
        return rejection.code
    return None


def test_every_reason_code_of_the_contract_is_produced_by_some_chaos_kind():
    assert set(EXPECTED_CODE.values()) - {None} == set(REASON_CODES)


@pytest.mark.parametrize("kind", CHAOS_KINDS)
def test_each_kind_gets_exactly_the_expected_verdict(kind, postings):
    records = list(ChaosInjector(1.0, seed=3, kinds=[kind]).records(postings[:100]))
    if kind == "duplicate":  # with nothing sent yet, the first record goes out clean
        assert records[0].kind == CLEAN
        records = records[1:]
    assert len(records) >= 99 and all(r.kind == kind for r in records)
    verdicts = Counter(_outcome(r.value) for r in records)
    assert verdicts == Counter({EXPECTED_CODE[kind]: len(records)}), verdicts
    if kind in CORRUPTIONS:
        assert all(r.truth is None for r in records)


def test_duplicates_resend_an_earlier_clean_record_byte_for_byte(postings):
    injector = ChaosInjector(0.5, seed=11, kinds=["duplicate"])
    records = list(injector.records(postings))
    clean = {r.key: r.value for r in records if r.kind == CLEAN}
    duplicates = [r for r in records if r.kind == "duplicate"]
    assert duplicates and all(clean[d.key] == d.value and d.truth is None for d in duplicates)


def test_late_events_are_hours_old_and_keep_their_truth(postings):
    sample = postings[:50]
    records = list(ChaosInjector(1.0, seed=5, kinds=["late_event"]).records(sample))
    for record, posting in zip(records, sample, strict=True):
        late_time = parse_timestamp(validate_record(record.value)["event_time"])
        lag = parse_timestamp(posting.event["event_time"]) - late_time
        assert timedelta(hours=2) <= lag <= timedelta(hours=48)
        assert record.truth == posting.truth()


def test_empty_description_truth_keeps_only_the_title_skills(postings):
    records = list(ChaosInjector(1.0, seed=5, kinds=["empty_description"]).records(postings))
    for record, posting in zip(records, postings, strict=True):
        assert validate_record(record.value)["description"] == ""
        assert record.truth["skills"] == list(posting.title_skills)


def test_rate_mix_and_counts_are_deterministic_under_a_seed(postings):
    def run():
        return [(r.kind, r.key, r.value) for r in ChaosInjector(0.2, seed=9).records(postings)]

    first = run()
    assert first == run()
    kinds = Counter(kind for kind, _, _ in first)
    chaos_share = 1 - kinds[CLEAN] / len(first)
    assert 0.12 < chaos_share < 0.28
    assert len(set(kinds) - {CLEAN}) >= 8  # uniform over 12 kinds: most show up in 60 draws


def test_truth_lines_exist_exactly_for_records_that_bring_a_new_valid_posting(postings):
    records = list(ChaosInjector(0.3, seed=2).records(postings))
    for record in records:
        brings_new = record.kind in (CLEAN, "late_event", "empty_description")
        assert (record.truth is not None) == brings_new
        if brings_new:
            assert record.truth["event_id"].encode() == record.key
            assert _outcome(record.value) is None


@pytest.mark.parametrize("rate, kinds", [(-0.1, CHAOS_KINDS), (1.5, CHAOS_KINDS), (0.1, ["gremlins"]), (0.1, [])])
def test_bad_settings_are_refused_with_the_valid_choices(rate, kinds):
    with pytest.raises(ValueError, match="chaos"):
        ChaosInjector(rate, kinds=kinds)


def test_valid_kinds_are_the_documented_three():
    assert set(VALID_KINDS) == {k for k, code in EXPECTED_CODE.items() if code is None}
