"""The pure-Python matcher against the labelled snippets and the rules they stand for."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from talent_pulse.skills import default_matcher, load_taxonomy

CASES = yaml.safe_load((Path(__file__).parent / "skill_cases.yaml").read_text("utf-8"))
RULES = (
    "symbols",
    "case",
    "java",
    "react",
    "spark",
    "words",
    "sql",
    "versions",
    "punctuation",
    "caps",
    "aliases",
    "posting",
    "attached",
    "traps",
    "unicode",
    "policy",
    "breadth",
)


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
        for form in set(skill.ambiguous) - set(skill.dominant):
            got = matcher.extract(f"Thank you. {form} matters. Thanks.")
            if got:
                alone[form] = got
            context = skill.context[0] if skill.context else "developer"
            if skill.name not in matcher.extract(f"Hands-on {form} engineering with {form} {context}"):
                in_context[form] = skill.name
    assert alone == {}
    assert in_context == {}


def test_every_dominant_form_counts_alone_and_each_veto_stops_it():
    """A dominant form counts in a plain sentence; each of its negative context words in the sentence, and each
    listed neighbour, turns it back into the ordinary word."""
    matcher = default_matcher()
    missed, not_vetoed = {}, []
    for skill in load_taxonomy().skills:
        assert set(skill.dominant) <= set(skill.ambiguous)
        for form in skill.dominant:
            if skill.name not in matcher.extract(f"Thank you. We use {form} daily. Thanks."):
                missed[form] = skill.name
            vetoes = (
                [f"We use {form} daily with the {word} team." for word in skill.negative_context]
                + [f"We use {form} {word} daily." for word in skill.not_followed_by]
                + [f"We use {word} {form} daily." for word in skill.not_preceded_by]
            )
            not_vetoed += [text for text in vetoes if skill.name in matcher.extract(text)]
    assert missed == {}
    assert not_vetoed == []


def test_compiled_tables_for_the_jvm_matcher_cover_the_taxonomy():
    tables = default_matcher().compiled_tables().splitlines()
    assert tables[0] == "talent-pulse-skill-tables\t2"
    records = [line.split("\t") for line in tables[1:]]
    assert all(len(fields) >= 2 and "" not in fields[:2] for fields in records)
    names = [fields[1] for fields in records if fields[0] == "name"]
    assert names == sorted(skill.name for skill in load_taxonomy().skills)
    ids = {str(number) for number in range(len(names))}
    named = [fields for fields in records if fields[0] in ("phrase", "single", "ambiguous", "whole", "unversioned")]
    assert named and all(fields[2] in ids for fields in named)
    ambiguous = {fields[1] for fields in records if fields[0] == "ambiguous"}
    assert ambiguous == {form.lower() for skill in load_taxonomy().skills for form in skill.ambiguous}
    separators = dict(fields for fields in records if fields[0] != "name" and len(fields) == 2)["separators"]
    assert len(bytes.fromhex(separators)) == 256
