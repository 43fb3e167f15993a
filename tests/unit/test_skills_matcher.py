"""The pure-Python matcher against the labelled snippets and the rules they stand for."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from talent_pulse.skills import default_matcher, load_taxonomy

CASES = yaml.safe_load((Path(__file__).parent / "skill_cases.yaml").read_text("utf-8"))
RULES = ("symbols", "case", "java", "react", "spark", "words", "sql", "versions", "punctuation", "caps",
         "aliases", "posting", "attached")


def test_case_file_covers_every_rule_with_enough_cases():
    assert len(CASES) >= 150
    by_rule = {rule: [case for case in CASES if case["rule"] == rule] for rule in RULES}
    assert {case["rule"] for case in CASES} == set(RULES)
    assert all(len(cases) >= 5 for cases in by_rule.values()), {rule: len(c) for rule, c in by_rule.items()}
    assert len([case for case in by_rule["posting"] if not case["skills"]]) >= 5  # non-tech jobs


def test_labels_name_real_skills():
    names = {skill.name for skill in load_taxonomy().skills}
    assert {skill for case in CASES for skill in case["skills"]} <= names


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['rule']}" for i, c in enumerate(CASES)])
def test_labelled_snippet(case):
    assert default_matcher().extract(case["text"]) == sorted(case["skills"])


def test_output_is_sorted_and_unique():
    skills = default_matcher().extract("Python, python, PYTHON; Kafka and Apache Kafka; AWS S3 and Amazon Web Services")
    assert skills == sorted(set(skills)) == ["AWS", "Amazon S3", "Apache Kafka", "Python"]


@pytest.mark.parametrize("text", [None, "", "   ", "\n\n", "—•…", "日本語の求人"])
def test_empty_or_skill_free_text_gives_no_skills(text):
    assert default_matcher().extract(text) == []


def test_non_ascii_text_around_skills():
    assert default_matcher().extract("Ingénieur logiciel · Python · Kubernetes · Café") == ["Kubernetes", "Python"]


def test_extract_many_matches_extract_row_by_row():
    texts = [case["text"] for case in CASES] + [None, ""]
    matcher = default_matcher()
    assert matcher.extract_many(texts) == [matcher.extract(text) for text in texts]


def test_every_safe_form_extracts_its_skill_in_plain_text():
    """The producer's generator writes safe forms anywhere: each must come back as its own skill."""
    matcher = default_matcher()
    wrong = {}
    for skill in load_taxonomy().skills:
        for form in skill.safe_forms:
            got = matcher.extract(f"We need {form} in this role.")
            if skill.name not in got:
                wrong[form] = got
    assert wrong == {}


def test_every_ambiguous_form_needs_context():
    """Alone in a non-technical sentence an ambiguous form is not a skill; beside a developer title it is."""
    matcher = default_matcher()
    alone, in_context = {}, {}
    for skill in load_taxonomy().skills:
        for form in skill.ambiguous:
            got = matcher.extract(f"Thank you. {form} matters. Thanks.")
            if got:
                alone[form] = got
            if skill.name not in matcher.extract(f"Hands-on {form} engineering with {form} {skill.context[0] if skill.context else 'developer'}"):
                in_context[form] = skill.name
    assert alone == {}
    assert in_context == {}
