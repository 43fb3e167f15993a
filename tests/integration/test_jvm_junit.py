"""The JUnit tests of the job's JVM classes (glue_or_emr_jobs/skill-matcher/src/test), run by Maven.

They read what Python compiles, the way the job does: this test writes the skill tables, the gazetteer
tables and the labelled cases of tests/unit into a folder, runs `mvn test` with `-Djunit.data=` that
folder, and reads Surefire's reports.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml

from talent_pulse.checkout import checkout_path
from talent_pulse.gazetteer import load_gazetteer
from talent_pulse.jvm_build import SKILL_MATCHER_DIR
from talent_pulse.skills import default_matcher

pytestmark = pytest.mark.integration
UNIT = Path(__file__).resolve().parents[1] / "unit"
# test class -> the tests it must have run
EXPECTED_TESTS = {
    "io.talentpulse.skills.SkillMatcherTest": 5,
    "io.talentpulse.locations.GazetteerTest": 3,
    "io.talentpulse.text.CodePointMapTest": 2,
}


def _labelled(name: str) -> list[dict[str, object]]:
    return [
        {"text": case["text"], "skills": case["skills"]} for case in yaml.safe_load((UNIT / name).read_text("utf-8"))
    ]


def _gazetteer_cases() -> list[tuple[str, str]]:
    """The labelled cases of tests/unit/test_gazetteer.py (one definition of them)."""
    spec = importlib.util.spec_from_file_location("test_gazetteer", UNIT / "test_gazetteer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [*module.CASES, *module.TRAPS.items()]


def _write_data(folder: Path) -> None:
    folder.mkdir()
    (folder / "skill-tables.txt").write_text(default_matcher().compiled_tables(), "utf-8")
    cases = {"snippets": _labelled("skill_cases.yaml"), "postings": _labelled("skill_postings.yaml")}
    (folder / "skill-cases.json").write_text(json.dumps(cases), "utf-8")
    (folder / "gazetteer-tables.json").write_text(load_gazetteer().compiled_tables(), "utf-8")
    locations = [{"text": text, "slug": slug} for text, slug in _gazetteer_cases()]
    (folder / "gazetteer-cases.json").write_text(json.dumps(locations), "utf-8")


def test_junit_tests_of_the_jvm_classes_pass(tmp_path: Path) -> None:
    data, build = tmp_path / "junit-data", tmp_path / "build"
    _write_data(data)
    pom = checkout_path(SKILL_MATCHER_DIR, "the skill matcher's Maven project") / "pom.xml"
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(pom),
            "test",
            "-Dmaven.test.skip=false",
            f"-Djunit.data={data}",
            f"-Dmatcher.build.dir={build}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    reports = {}
    for report in (build / "surefire-reports").glob("TEST-*.xml"):
        suite = ElementTree.parse(report).getroot()
        counts = ("tests", "failures", "errors", "skipped")
        reports[suite.get("name")] = {key: int(suite.get(key, "0")) for key in counts}
    assert reports == {
        name: {"tests": count, "failures": 0, "errors": 0, "skipped": 0} for name, count in EXPECTED_TESTS.items()
    }
