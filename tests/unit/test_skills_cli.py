"""`pulse skills extract` and `pulse skills list`, run as the installed command."""

from __future__ import annotations

import json
import subprocess

from talent_pulse.skills import load_taxonomy


def pulse(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(["pulse", "skills", *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_extract_reads_text_or_title_and_description():
    lines = [
        {"id": "a", "text": "Golang and k8s"},
        {"id": 2, "title": "Senior Java Developer", "description": "Spring Boot, PostgreSQL"},
        {"id": "n", "title": "Sous Chef", "description": None},
        {"id": "t", "title": "Go Developer"},
    ]
    result = pulse("extract", stdin="\n".join(json.dumps(line) for line in lines) + "\n\n")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"id": "a", "skills": ["Go", "Kubernetes"]},
        {"id": 2, "skills": ["Java", "PostgreSQL", "Spring Boot"]},
        {"id": "n", "skills": []},
        {"id": "t", "skills": ["Go"]},
    ]


def test_extract_stops_on_a_bad_line_with_advice():
    result = pulse("extract", stdin='{"id": 1, "text": "Python developer"}\nnot json\n')
    assert result.returncode == 2
    assert result.stdout.splitlines() == ['{"id": 1, "skills": ["Python"]}']
    assert "line 2" in result.stderr and "--keep-going" in result.stderr


def test_extract_keep_going_skips_bad_lines_and_exits_1():
    result = pulse("extract", "--keep-going", stdin='[1]\n{"id": 2, "text": 5}\n{"id": 3, "text": "Rust developer"}\n')
    assert result.returncode == 1
    assert result.stdout.splitlines() == ['{"id": 3, "skills": ["Rust"]}']
    assert "line 1" in result.stderr and "line 2" in result.stderr and "2 bad line(s)" in result.stderr


def test_list_prints_every_skill():
    result = pulse("list", "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(row["name"] for row in rows) == sorted(skill.name for skill in load_taxonomy().skills)
    go = next(row for row in rows if row["name"] == "Go")
    assert go["category"] == "language" and "golang" in go["aliases"] and go["needs_context"] is True


def test_list_text_and_category_filter():
    result = pulse("list", "--category", "language")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines and all(line.split("\t")[1] == "language" for line in lines)
    assert any(line.startswith("Go\tlanguage\t") and "Go (in context)" in line for line in lines)
    assert any(line.startswith("Python\tlanguage\t") and "Python (unless vetoed)" in line for line in lines)
    unknown = pulse("list", "--category", "cooking")
    assert unknown.returncode == 2 and "categories: backend" in unknown.stderr


def test_eval_prints_micro_scores_overall_and_per_skill(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        '- {rule: a, text: "Go developer", skills: [Go]}\n'
        '- {rule: b, text: "Go to market", skills: [Go]}\n'
        '- {trade: c, text: "Python and Rust developers", skills: [Python]}\n'
    )
    result = pulse("eval", "--cases", str(cases), "--no-jvm", "--wrong")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # tp: Go (a), Python (c); fp: Rust (c); fn: Go (b)
    assert "overall (micro, 3 cases): precision 0.6667  recall 0.6667  F1 0.6667  (tp 2, fp 1, fn 1)" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[4:] if not line.startswith("WRONG")}
    assert rows["Go"] == ["context", "2", "1", "0", "1", "1.000", "0.500", "0.667"]
    assert rows["Rust"] == ["context", "0", "0", "1", "0", "0.000", "1.000", "0.000"]
    assert rows["Python"][:5] == ["dominant", "1", "1", "0", "0"]
    assert sum(line.startswith("WRONG") for line in out.splitlines()) == 2
    assert "JVM" not in out


def test_eval_refuses_labels_the_taxonomy_lacks(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text('- {rule: a, text: "Go developer", skills: [Golang]}\n')
    result = pulse("eval", "--cases", str(cases), "--no-jvm")
    assert result.returncode == 2
    assert "labels name skills the taxonomy lacks: Golang" in result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("- {text: 5}\n")
    result = pulse("eval", "--cases", str(broken), "--no-jvm")
    assert result.returncode == 2 and "needs `text` (a string) and `skills` (a list)" in result.stderr
