"""The generator: contract-valid, deterministic, truthful ground truth, regional and drifting mixes."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from talent_pulse.contract import encode_event, validate_record
from talent_pulse.gazetteer import load_gazetteer, normalise_location
from talent_pulse.generator import PostingGenerator
from talent_pulse.skills import load_taxonomy

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _batch(seed: int, count: int, start: datetime = START):
    generator = PostingGenerator(seed=seed)
    return [generator.generate(start + timedelta(milliseconds=250 * i)) for i in range(count)]


@pytest.fixture(scope="module")
def postings():
    return _batch(seed=1, count=3000)


def test_same_seed_and_times_give_the_same_postings_and_another_seed_does_not():
    first, again, other = _batch(4, 200), _batch(4, 200), _batch(5, 200)
    assert [p.event for p in first] == [p.event for p in again]
    assert [p.truth() for p in first] == [p.truth() for p in again]
    assert sum(a.event["description"] == b.event["description"] for a, b in zip(first, other, strict=True)) < 5


def test_every_posting_passes_the_contract_with_unique_ids(postings):
    for posting in postings:
        key, value = encode_event(posting.event)
        validated = validate_record(value)
        assert key.decode() == validated["event_id"] == posting.truth()["event_id"]
    assert len({p.event["event_id"] for p in postings}) == len(postings)


def test_ground_truth_skills_are_taxonomy_names_spelled_out_in_the_text(postings):
    taxonomy = load_taxonomy().by_name()
    for posting in postings:
        text = posting.event["title"] + "\n" + posting.event["description"]
        assert posting.skills and list(posting.skills) == sorted(set(posting.skills))
        for name in posting.skills:
            spellings = (name, *taxonomy[name].aliases, *taxonomy[name].ambiguous)
            assert any(re.search(rf"(?<![\w]){re.escape(s)}(?![\w])", text, re.IGNORECASE) for s in spellings), (
                name,
                text,
            )
        assert set(posting.title_skills) <= set(posting.skills)


def test_the_raw_location_resolves_to_the_truth_slug_and_spellings_vary(postings):
    for posting in postings:
        assert normalise_location(posting.event["location"]).slug == posting.location_slug
    spellings_per_slug: dict[str, set[str]] = {}
    for posting in postings:
        spellings_per_slug.setdefault(posting.location_slug, set()).add(posting.event["location"])
    assert max(len(s) for s in spellings_per_slug.values()) >= 4
    assert len(spellings_per_slug) >= 60


def test_regions_are_weighted_and_role_mixes_differ_by_region(postings):
    region_of = {loc.slug: loc.region for loc in load_gazetteer().locations}
    regions = Counter(region_of[p.location_slug] for p in postings)
    assert regions["north-america"] > regions["europe"] > regions["asia-pacific"] > regions["africa"]

    def share(skill: str, region: str) -> float:
        subset = [p for p in postings if region_of[p.location_slug] == region]
        return sum(skill in p.skills for p in subset) / len(subset)

    assert share("PHP", "latin-america") > 1.5 * share("PHP", "north-america")
    assert share("AWS", "north-america") > share("AWS", "europe")


def test_skill_popularity_drifts_with_event_time_within_bounds():
    from talent_pulse.generator import DRIFT_REFERENCE, TREND_PERIOD_DAYS

    trough = DRIFT_REFERENCE + timedelta(days=TREND_PERIOD_DAYS * 300)
    peak = trough + timedelta(days=TREND_PERIOD_DAYS / 2)
    low, high = _batch(2, 4000, trough), _batch(2, 4000, peak)

    def count(batch, skills):
        return sum(skill in p.skills for p in batch for skill in skills)

    rising, falling = ("Rust", "LLMs", "dbt", "Go"), ("Jenkins", "jQuery", "Hadoop", "Perl")
    assert 1.15 * count(low, rising) < count(high, rising) < 2.0 * count(low, rising)
    assert 0.5 * count(low, falling) < count(high, falling) < 0.87 * count(low, falling)


def test_titles_seniority_salary_and_remote_are_plausible(postings):
    seniorities = Counter(p.event["seniority"] for p in postings)
    assert seniorities["senior"] > seniorities["principal"] > 0 and seniorities[None] > 0
    with_salary = [p.event for p in postings if "salary_min" in p.event]
    assert 0.2 < len(with_salary) / len(postings) < 0.7
    assert all(e["salary_min"] <= e["salary_max"] and len(e["salary_currency"]) == 3 for e in with_salary)
    remote_slugs = [p for p in postings if p.location_slug.startswith("remote")]
    assert remote_slugs and all(p.event["remote"] is True for p in remote_slugs)
    lengths = sorted(len(p.event["description"]) for p in postings)
    assert lengths[len(lengths) // 10] < 500 and lengths[-len(lengths) // 10] > 1000
    assert len({p.event["title"] for p in postings}) > 150


def test_extraction_scored_against_the_ground_truth(postings):
    """The matcher should find what the generator wrote (filler and distractor text add nothing)."""
    from talent_pulse.skills import default_matcher

    matcher = default_matcher()
    true_positive = found = expected = 0
    for posting in postings[:500]:
        extracted = set(matcher.extract(posting.event["title"] + "\n" + posting.event["description"]))
        true_positive += len(extracted & set(posting.skills))
        found += len(extracted)
        expected += len(posting.skills)
    precision, recall = true_positive / found, true_positive / expected
    assert precision > 0.9 and recall > 0.9, f"precision {precision:.3f}, recall {recall:.3f}"
