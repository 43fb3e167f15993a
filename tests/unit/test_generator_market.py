"""The synthetic market follows its cited source (talent_pulse/data/market.yaml) and never runs away.

Tolerance, stated once: over 10,000 generated postings, counted by what the generator writes into
them (its ground truth, not what a matcher extracts), the generated top 10 of the source's entries
holds at least 9 of the source's top 10; every source top-10 entry ranks within 2 places of its
source rank; and its share relative to the top entry (JavaScript = 1) is within 0.15 of the
source's relative share. Checked at the trough and at the peak of the trend cycle.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta

import pytest

from talent_pulse.generator import DRIFT_REFERENCE, TREND_PERIOD_DAYS, PostingGenerator, _data, _market, load_market
from talent_pulse.skills import load_taxonomy

POSTINGS = 10_000
TOP = 10
MIN_SHARED = 9
MAX_RANK_SHIFT = 2
MAX_RELATIVE_SHARE_GAP = 0.15
TROUGH = DRIFT_REFERENCE + timedelta(days=TREND_PERIOD_DAYS * 350)  # phase 0: trends at 1
PEAK = TROUGH + timedelta(days=TREND_PERIOD_DAYS / 2)  # rising skills at their highest


def generated_entry_shares(event_time: datetime, seed: int = 11) -> dict[str, float]:
    market = load_market()
    generator = PostingGenerator(seed=seed)
    counts: Counter[str] = Counter()
    for i in range(POSTINGS):
        skills = set(generator.generate(event_time + timedelta(milliseconds=100 * i)).skills)
        counts.update(entry for entry, _, names in market.survey_entries if skills & set(names))
    return {entry: counts[entry] / POSTINGS for entry, _, _ in market.survey_entries}


@pytest.mark.parametrize("event_time", [TROUGH, PEAK], ids=["trend-trough", "trend-peak"])
def test_generated_top_10_matches_the_cited_source(event_time):
    market = load_market()
    source = sorted(market.survey_entries, key=lambda e: -e[1])
    source_rank = {entry: rank for rank, (entry, _, _) in enumerate(source)}
    source_relative = {entry: share / source[0][1] for entry, share, _ in source}
    generated = generated_entry_shares(event_time)
    ranked = sorted(generated, key=lambda entry: -generated[entry])
    generated_relative = {entry: share / generated[ranked[0]] for entry, share in generated.items()}

    source_top = [entry for entry, _, _ in source[:TOP]]
    report = "\n".join(
        f"{source_rank[e] + 1:>2}. {e:<11} source {source_relative[e]:.2f}  generated rank "
        f"{ranked.index(e) + 1:>2}, {generated_relative[e]:.2f} ({100 * generated[e]:.1f}% of postings)"
        for e in source_top
    )
    assert len(set(source_top) & set(ranked[:TOP])) >= MIN_SHARED, report
    for entry in source_top:
        assert abs(ranked.index(entry) - source_rank[entry]) <= MAX_RANK_SHIFT, report
        assert abs(generated_relative[entry] - source_relative[entry]) <= MAX_RELATIVE_SHARE_GAP, report


def test_no_skill_grows_more_than_the_stated_factor_within_a_day():
    market = load_market()
    generator = PostingGenerator(seed=3)
    family, region = market.families[0], "north-america"
    step_s, day_steps = 600, 24 * 6
    start = (TROUGH - DRIFT_REFERENCE).total_seconds()
    moving = [*sorted(market.trend_direction), "JavaScript", "Python"]
    for skill in moving:
        weights = [generator.skill_weight(skill, family, region, start + i * step_s) for i in range(4 * day_steps)]
        worst = max(
            max(weights[i : i + day_steps + 1]) / min(weights[i : i + day_steps + 1])
            for i in range(0, len(weights) - day_steps, 6)
        )
        assert worst <= market.max_daily_growth, (skill, worst)
    # the bound is not vacuous: a rising skill does move by close to it over a day
    assert market.trend_multiplier("Rust", TREND_PERIOD_DAYS / 2) == pytest.approx(market.trend_factor_per_day)
    assert market.trend_factor_per_day * math.exp(2 * market.wave_amplitude) <= market.max_daily_growth


def test_every_name_in_the_market_file_is_a_taxonomy_skill_or_category():
    raw = _data("market.yaml")
    raw["rising"] = [*raw["rising"], "Visual FoxPro 9"]
    with pytest.raises(ValueError, match="Visual FoxPro 9"):
        _market(raw, load_taxonomy().skills)
    source = load_market().source
    assert source["name"] == "Stack Overflow Developer Survey" and source["year"] == 2024 and source["table"]
