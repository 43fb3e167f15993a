"""README.md and docs/*.md stay true to the code: generated tables fresh, links resolve, stated counts hold."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from talent_pulse import docs_tables
from talent_pulse.chaos import CHAOS_KINDS, EXPECTED_CODE
from talent_pulse.skills import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
PAGES = docs_tables.pages(ROOT)
README_MAX_LINES = 200
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _prose(text: str) -> str:
    """The page without fenced code blocks and inline code, where brackets are not links."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading).strip().lower()
    kept = "".join(c for c in text if c in " -" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings; a repeated heading gets -1, -2, … as on GitHub."""
    found: set[str] = set()
    repeats: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", page.read_text("utf-8")), re.M):
        slug = _slug(heading)
        found.add(f"{slug}-{repeats[slug]}" if slug in repeats else slug)
        repeats[slug] = repeats.get(slug, 0) + 1
    return found


def test_every_generated_table_is_fresh() -> None:
    stale = docs_tables.stale_pages(ROOT)
    assert not stale, f"stale generated tables in {[str(p.relative_to(ROOT)) for p in stale]}: run make docs"


def test_each_generated_table_appears_exactly_once() -> None:
    names = [name for page in PAGES for name in docs_tables.BLOCK.findall(page.read_text("utf-8"))]
    used = [match[1] for match in names]
    assert sorted(used) == sorted(docs_tables.RENDERERS), "each table has one home page; no table is written twice"


def test_a_stale_block_is_rewritten_and_an_unknown_one_refused() -> None:
    stale = "intro\n<!-- BEGIN GENERATED: reason-codes -->\n| old |\n<!-- END GENERATED -->\nafter\n"
    fresh = docs_tables.regenerate(stale)
    assert "| old |" not in fresh and "`duplicate_key`" in fresh and fresh.endswith("<!-- END GENERATED -->\nafter\n")
    assert docs_tables.regenerate(fresh) == fresh
    with pytest.raises(ValueError, match="no generated table is called 'nope'"):
        docs_tables.regenerate("<!-- BEGIN GENERATED: nope -->\n<!-- END GENERATED -->")


def test_the_check_mode_reports_a_stale_page_and_names_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("<!-- BEGIN GENERATED: configuration -->\n<!-- END GENERATED -->\n")
    assert docs_tables.main(["--root", str(tmp_path), "--check"]) == 1
    assert "python3 -m talent_pulse.docs_tables" in capsys.readouterr().err
    assert docs_tables.main(["--root", str(tmp_path)]) == 0
    assert "`PULSE_KAFKA_BOOTSTRAP`" in (tmp_path / "README.md").read_text()
    assert docs_tables.main(["--root", str(tmp_path), "--check"]) == 0


def test_the_key_table_covers_exactly_the_keys_the_code_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    names = docs_tables.serving_key_names()
    assert "{ns}:loc:<slug>:skills" in names and "{ns}:meta" in names
    assert sorted(names) == sorted(docs_tables.SERVING_KEYS)
    monkeypatch.delitem(docs_tables.SERVING_KEYS, "{ns}:pairs")
    with pytest.raises(ValueError, match=r"add \['\{ns\}:pairs'\]"):
        docs_tables.serving_keys_table()


def test_the_configuration_table_lists_every_setting_once() -> None:
    table = docs_tables.configuration_table()
    from talent_pulse.settings import Settings

    rows = [line.split(" | ")[0].strip("| `") for line in table.splitlines()[2:]]
    assert rows == Settings.env_names()


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_points_at_a_file_and_anchor_that_exist(page: Path) -> None:
    broken = []
    for target in LINK.findall(_prose(page.read_text("utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading gives #{anchor}")
    assert not broken, f"{page.relative_to(ROOT)}: {broken}"


def test_every_page_is_in_the_index_and_the_readme_stays_short() -> None:
    index = (ROOT / "docs" / "README.md").read_text("utf-8")
    pages = sorted(p.name for p in (ROOT / "docs").glob("*.md") if p.name != "README.md")
    assert [name for name in pages if f"]({name})" not in index] == []
    assert len((ROOT / "README.md").read_text("utf-8").splitlines()) <= README_MAX_LINES


def _count_entries(name: str) -> int:
    entries = yaml.safe_load((ROOT / "tests" / "unit" / name).read_text("utf-8"))
    assert isinstance(entries, list), name
    return len(entries)


def test_the_sizes_the_skills_page_states_are_the_taxonomy_and_the_corpus() -> None:
    text = (ROOT / "docs" / "skills.md").read_text("utf-8")
    skills = load_taxonomy().skills
    snippets, postings = _count_entries("skill_cases.yaml"), _count_entries("skill_postings.yaml")
    stated = re.search(r"\((\d+) skills in (\d+) categories, ~(\d+) aliases, (\d+) skills with context rules\)", text)
    assert stated, "docs/skills.md states the taxonomy's size"
    assert [int(n) for n in stated.groups()] == [
        len(skills),
        len({s.category for s in skills}),
        sum(len(s.aliases) for s in skills),
        sum(1 for s in skills if s.ambiguous),
    ]
    assert set(re.findall(r"(\d+) labelled snippets", text)) == {str(snippets)}
    assert f"{snippets} snippets" in text and f"{postings} job postings" in text
    assert f"{snippets + postings} labelled cases ({snippets} snippets, {postings} postings)" in text


def test_the_producer_page_labels_every_chaos_kind_with_its_reason_code() -> None:
    rows = {
        row.split(" | ")[0]: row
        for row in (ROOT / "docs" / "producer.md").read_text("utf-8").splitlines()
        if row.startswith("| `")
    }
    for kind in CHAOS_KINDS:
        row = next((row for first, row in rows.items() if first.startswith(f"| `{kind}`")), None)
        assert row, f"docs/producer.md: the chaos table lacks {kind}"
        code = EXPECTED_CODE[kind]
        assert (f"`{code}`" if code else "valid") in row.split(" | ")[-1], row
