"""The matcher's time is linear in the text length (issue 12 item 2), and it takes any value (item 5).

Time is bounded as a ratio, never as an absolute: the time per KB of each worst-case text against the time
per KB of ordinary postings, measured in the same rounds so that a busy machine slows both alike."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
import yaml

from talent_pulse.skills import default_matcher

HERE = Path(__file__).parent
TEXT_SIZE = 48_000  # the contract allows descriptions of up to 50,000 characters
MAX_RATIO = 20


def worst_case_texts() -> dict[str, str]:
    units = yaml.safe_load((HERE / "skill_worst_cases.yaml").read_text("utf-8"))
    return {label: (unit * (TEXT_SIZE // len(unit) + 1))[:TEXT_SIZE] for label, unit in units.items()}


def ordinary_postings() -> list[str]:
    return [case["text"] for case in yaml.safe_load((HERE / "skill_postings.yaml").read_text("utf-8"))]


def test_worst_case_texts_cost_at_most_20x_ordinary_postings_per_kb():
    matcher = default_matcher()
    groups = {"postings": ordinary_postings(), **{label: [text] for label, text in worst_case_texts().items()}}
    size_kb = {label: sum(len(text.encode()) for text in texts) / 1000 for label, texts in groups.items()}
    best = dict.fromkeys(groups, math.inf)
    for _ in range(4):
        for label, texts in groups.items():
            start = time.perf_counter()
            matcher.extract_many(texts)
            best[label] = min(best[label], (time.perf_counter() - start) / size_kb[label])
    ratios = {label: round(best[label] / best["postings"], 1) for label in groups}
    print("time per KB / ordinary postings:", ratios)
    assert {label: ratio for label, ratio in ratios.items() if ratio > MAX_RATIO} == {}


@pytest.mark.parametrize(
    "value", [float("nan"), 123, 1.5, True, None, b"Python developer", ["Python"], {"text": "Python"}, ""]
)
def test_values_that_are_not_text_have_no_skills(value):
    assert default_matcher().extract(value) == []


def test_extract_many_takes_pandas_missing_values():
    assert default_matcher().extract_many(["Go developer", float("nan"), None, "Rust and Go"]) == [
        ["Go"],
        [],
        [],
        ["Go", "Rust"],
    ]
