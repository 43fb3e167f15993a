"""The labelled corpus (snippets + full postings of many trades) and the quality targets of issue 16."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from talent_pulse.skills import default_matcher, load_taxonomy
from talent_pulse.skills.evaluation import evaluate, load_cases

HERE = Path(__file__).parent
SNIPPETS, POSTINGS, OPEN = (
    HERE / name for name in ("skill_cases.yaml", "skill_postings.yaml", "skill_open_cases.yaml")
)
NON_TECH_TRADES = {"nursing", "logistics", "retail", "finance", "hospitality"}


@pytest.fixture(scope="module")
def corpus():
    return load_cases([SNIPPETS, POSTINGS, OPEN])


@pytest.fixture(scope="module")
def scores(corpus):
    return evaluate(corpus, default_matcher().extract_many([case.text for case in corpus]))


def test_corpus_is_large_with_a_third_full_postings_of_many_trades(corpus):
    postings = load_cases([POSTINGS])
    assert len(corpus) >= 600
    assert 3 * len(postings) >= len(corpus)
    trades = Counter(case.group for case in postings)
    assert all(trades[trade] >= 8 for trade in NON_TECH_TRADES), trades
    assert len(trades) >= 15
    assert sum(1 for case in postings if case.group in NON_TECH_TRADES and not case.skills) >= 30
    # Postings, not one-liners: a title line, then a body of 100 characters or more.
    assert all("\n" in case.text and len(case.text.split("\n", 1)[1]) >= 100 for case in postings)


def test_labels_name_real_skills(corpus):
    names = {skill.name for skill in load_taxonomy().skills}
    assert {name for case in corpus for name in case.skills} - names == set()


def test_every_ambiguous_form_is_labelled_both_ways_somewhere(corpus):
    """For each of the most common ambiguous skills the corpus holds a case where it counts and one where
    its word appears but does not."""
    taxonomy = load_taxonomy()
    common = [
        "Python",
        "Java",
        "Go",
        "R",
        "C",
        "Swift",
        "Rust",
        "Spring",
        "React",
        "Apache Spark",
        "Docker",
        "Apache Kafka",
        "Helm",
        "Excel",
        "Apache Airflow",
        "Jenkins",
        "Playwright",
        "Unity",
        "Phoenix",
        "REST",
    ]
    by_name = taxonomy.by_name()
    missing = []
    for name in common:
        forms = {form.lower() for form in by_name[name].ambiguous}
        mentions = [case for case in corpus if forms & {word.strip(".,:;()!?").lower() for word in case.text.split()}]
        if not any(name in case.skills for case in mentions) or all(name in case.skills for case in mentions):
            missing.append(name)
    assert missing == []


def test_quality_targets(scores):
    """Issue 16: precision >= 0.98 and recall >= 0.97 overall, recall >= 0.97 for the 20 most frequent skills."""
    assert scores.overall.precision >= 0.98
    assert scores.overall.recall >= 0.97
    top20 = scores.most_frequent(20)
    assert {
        name: round(scores.per_skill[name].recall, 3) for name in top20 if scores.per_skill[name].recall < 0.97
    } == {}


def test_open_cases_are_still_open():
    """The known misses stay listed only while the matcher gets them wrong."""
    matcher = default_matcher()
    fixed = [case.text for case in load_cases([OPEN]) if set(matcher.extract(case.text)) == case.skills]
    assert fixed == [], "move these cases to skill_cases.yaml"
