"""Taxonomy data file: size, shape, and the loader's validation errors."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from talent_pulse.skills import TaxonomyError, load_taxonomy, parse_taxonomy
from talent_pulse.skills.taxonomy import CATEGORIES, tokenize

REPO = Path(__file__).resolve().parents[2]


def test_packaged_taxonomy_is_large_and_covers_every_category():
    taxonomy = load_taxonomy()
    assert len(taxonomy.skills) >= 300
    counts = Counter(skill.category for skill in taxonomy.skills)
    assert set(counts) == set(CATEGORIES)
    assert counts["language"] >= 30 and counts["cloud"] >= 30


def test_load_taxonomy_is_cached():
    assert load_taxonomy() is load_taxonomy()


@pytest.mark.parametrize(
    "name, alias",
    [
        ("Kubernetes", "k8s"),
        ("Go", "Golang"),
        ("PostgreSQL", "Postgres"),
        ("Node.js", "NodeJS"),
        ("React", "ReactJS"),
        ("scikit-learn", "sklearn"),
        ("Google Cloud", "GCP"),
        ("Google Cloud", "Google Cloud Platform"),
        ("AWS", "Amazon Web Services"),
    ],
)
def test_required_spelling_variants(name, alias):
    skill = load_taxonomy().by_name()[name]
    assert alias.lower() in {form.lower() for form in skill.safe_forms}


@pytest.mark.parametrize(
    "name, needs_context",
    [
        ("Go", True),
        ("R", True),
        ("C", True),
        ("Swift", True),
        ("Rust", True),
        ("Spring", True),
        ("Python", True),
        ("React", True),
        ("Kubernetes", False),
        ("JavaScript", False),
        ("C++", False),
        ("PostgreSQL", False),
    ],
)
def test_needs_context_flags_ambiguous_names(name, needs_context):
    skill = load_taxonomy().by_name()[name]
    assert skill.needs_context is needs_context
    assert (name in skill.safe_forms) is not needs_context


def test_every_skill_offers_a_safe_form_or_a_context_rule():
    for skill in load_taxonomy().skills:
        assert skill.safe_forms or skill.ambiguous, skill.name


def _load(text: str):
    return parse_taxonomy(text, source="test.yaml")


def test_duplicate_canonical_name_is_reported():
    with pytest.raises(TaxonomyError, match=r"canonical name 'go' is used twice \(also 'Go'\)"):
        _load(
            "skills:\n- {name: Go, category: language, aliases: [golang]}\n"
            "- {name: go, category: language, aliases: []}\n"
        )


def test_alias_claimed_by_two_skills_is_reported_with_both_owners():
    with pytest.raises(TaxonomyError, match="'K8S' of 'Nomad' is also claimed by 'Kubernetes'"):
        _load(
            "skills:\n- {name: Kubernetes, category: devops, aliases: [k8s]}\n"
            "- {name: Nomad, category: devops, aliases: [K8S]}\n"
        )


def test_alias_spelled_with_other_punctuation_counts_as_the_same_form():
    with pytest.raises(TaxonomyError, match="also claimed"):
        _load(
            "skills:\n- {name: CI/CD, category: practice, aliases: []}\n"
            "- {name: Other, category: practice, aliases: ['ci: cd']}\n"
        )


def test_every_problem_is_listed_at_once():
    with pytest.raises(TaxonomyError) as error:
        _load(
            "skills:\n- {name: A1, category: nope, aliases: [x1]}\n- {name: B1, category: tools, aliases: 'y'}\n"
            "- {name: C1, category: tools, aliases: ['!!!'], colour: red}\n"
        )
    message = str(error.value)
    assert "3 problem(s)" in message or "4 problem(s)" in message
    fragments = ("category 'nope'", "`aliases` must be a list", "'!!!' can never match", "unknown key(s) ['colour']")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("skills: [", "not valid YAML"),
        ("- just a list", "must be a mapping with a `skills:` list"),
        ("skills:\n- {name: X, category: tools, ambiguous: [two words]}", "must be a single token"),
        ("skills:\n- {name: X, category: tools, own_context_only: true}", "own_context_only needs a `context` list"),
        ("skills:\n- {name: X, category: tools, aliases: [Inc.]}", "can never match"),
        ("context_window: 0\nskills: []", "context_window must be a positive integer"),
        ("skills:\n- {name: X, category: tools, dominant: [X]}", "`dominant` forms need the words that veto them"),
        (
            "skills:\n- {name: X, category: tools, ambiguous: [X], dominant: [X], negative_context: [y]}",
            "form 'X' is under both `ambiguous` and `dominant`",
        ),
        (
            "skills:\n- {name: X, category: tools, dominant: [two words], not_followed_by: [y]}",
            "must be a single token",
        ),
    ],
)
def test_invalid_files_fail_with_a_clear_message(text, fragment):
    with pytest.raises(TaxonomyError, match=r"test\.yaml") as error:
        _load(text)
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("C++17, C#", ["C++17", ",", "C#"]),
        ("JavaScript/Java", ["JavaScript", ",", "Java"]),
        ("go-to-market. Go!", ["go-to-market", ".", "Go", "."]),
        ("#python (NoSQL)", ["python", ",", "NoSQL", ","]),
        (".NET, R&D", [".NET", ",", "R&D"]),
    ],
)
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


def test_taxonomy_loads_from_a_zipped_package(tmp_path):
    """--py-files ships the package as a zip: the YAML must come from the zip, not the file system."""
    archive = tmp_path / "talent_pulse.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in (REPO / "talent_pulse").rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                bundle.write(path, path.relative_to(REPO).as_posix())
    code = (
        "import talent_pulse, talent_pulse.skills as s; "
        f"assert talent_pulse.__file__.startswith({str(archive)!r}), "
        "talent_pulse.__file__; print(len(s.load_taxonomy().skills), s.default_matcher().extract('Golang dev'))"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            f"import sys; sys.path[:0] = [{str(archive)!r}] + "
            f"[p for p in {sys.path!r} if 'site-packages' in p]; " + code,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1) == [str(len(load_taxonomy().skills)), "['Go']\n"]


def test_dominant_forms_are_context_dependent_forms_with_vetoes():
    taxonomy = _load(
        "skills:\n- {name: Helm, category: devops, aliases: [helm charts], dominant: [Helm], "
        "case_sensitive: true, not_followed_by: [of], negative_context: [vessel]}\n"
    )
    helm = taxonomy.skills[0]
    assert helm.ambiguous == ("Helm",) and helm.dominant == ("Helm",) and helm.needs_context
    assert helm.safe_forms == ("helm charts",) and helm.negative_context == ("vessel",)


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("Ｐｙｔｈｏｎ", ["Python"]),
        ("Py\u00adthon", ["Python"]),
        ("Kuber\u200bnetes", ["Kubernetes"]),
        ("C\u00f3rdoba", ["C_rdoba"]),
        ("Go\u2026 yes", ["Go", ".", "yes"]),
        ("数据Python", ["Python"]),
    ],
)
def test_tokenize_normalises_unicode_per_code_point(text, tokens):
    assert tokenize(text) == tokens
