"""The JUnit tests of the job's JVM classes (glue_or_emr_jobs/skill-matcher/src/test), run by Maven.

They read what Python compiles, the way the job does: this test writes the skill tables, the gazetteer
tables, the contract rules and the labelled cases of tests/unit (and chaos and generated records) into a
folder, runs `mvn test` with `-Djunit.data=` that folder, and reads Surefire's reports.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from talent_pulse.chaos import CHAOS_KINDS, ChaosInjector
from talent_pulse.checkout import checkout_path
from talent_pulse.contract import Rejection, compiled_rules, encode_event, parse_timestamp, validate_record
from talent_pulse.gazetteer import load_gazetteer
from talent_pulse.generator import PostingGenerator
from talent_pulse.jvm_build import SKILL_MATCHER_DIR
from talent_pulse.skills import default_matcher

pytestmark = pytest.mark.integration
UNIT = Path(__file__).resolve().parents[1] / "unit"
# test class -> the tests it must have run
EXPECTED_TESTS = {
    "io.talentpulse.skills.SkillMatcherTest": 5,
    "io.talentpulse.locations.GazetteerTest": 3,
    "io.talentpulse.text.CodePointMapTest": 2,
    "io.talentpulse.contract.ValidatorTest": 4,
}
# Event times of the generated postings: in the past, so inside the contract's window whenever the JVM runs.
GENERATED_FROM = datetime(2026, 11, 1, tzinfo=UTC)
GENERATED_POSTINGS = 1000
CHAOS_RECORDS_PER_KIND = 20


def _labelled(name: str) -> list[dict[str, object]]:
    return [
        {"text": case["text"], "skills": case["skills"]} for case in yaml.safe_load((UNIT / name).read_text("utf-8"))
    ]


def _unit_test_module(name: str) -> ModuleType:
    """A module of tests/unit, whose cases are the one definition of them."""
    spec = importlib.util.spec_from_file_location(name, UNIT / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gazetteer_cases() -> list[tuple[str, str]]:
    """The labelled cases of tests/unit/test_gazetteer.py."""
    module = _unit_test_module("test_gazetteer")
    return [*module.CASES, *module.TRAPS.items()]


def _parameters(test: Callable[..., None]) -> list[Any]:
    """The values a @pytest.mark.parametrize test of one parameter runs with."""
    (mark,) = [mark for mark in getattr(test, "pytestmark", []) if mark.name == "parametrize"]
    return list(mark.args[1])


def _contract_records() -> dict[str, bytes | None]:
    """Case name -> raw Kafka value: the records of tests/unit/test_contract.py (rejected and accepted), chaos
    records of every kind and generated postings."""
    unit = _unit_test_module("test_contract")
    records: dict[str, bytes | None] = {name: raw for name, (raw, _, _) in unit.BAD.items()}
    records["full"] = unit.as_bytes(unit.FULL)
    records["minimal"] = unit.as_bytes(unit.MINIMAL)
    for text in _parameters(unit.test_unicode_text_is_accepted_unchanged):
        records[f"unicode text {text}"] = unit.with_(title=text, description=text * 3)
    for stamp, _ in _parameters(unit.test_timestamps_with_an_offset_are_accepted):
        records[f"event_time {stamp}"] = unit.with_(event_time=stamp)
    records["unknown fields"] = unit.with_(employer_rating=4.5, tags=["x"], location_detail={"lat": 1})
    records["empty description, zero salary"] = unit.with_(description="", salary_min=0, salary_max=0)
    records["limits are inclusive"] = unit.with_(
        description="d" * unit.MAX_DESCRIPTION_CHARS, salary_min=1, salary_max=1
    )
    records["invisible characters around visible text"] = unit.with_(
        title="\u200bData Engineer\u00ad", company="\u3164Acme"
    )
    generator = PostingGenerator(seed=11)
    postings = [generator.generate(GENERATED_FROM + timedelta(seconds=i)) for i in range(GENERATED_POSTINGS)]
    for i, posting in enumerate(postings):
        records[f"generated posting {i}"] = encode_event(posting.event)[1]
    for kind in CHAOS_KINDS:
        chaos = ChaosInjector(1.0, seed=5, kinds=[kind]).records(postings[:CHAOS_RECORDS_PER_KIND])
        for i, record in enumerate(chaos):
            records[f"chaos {kind} {i}"] = record.value
    return records


def _epoch_micros(stamp: str) -> int:
    return (parse_timestamp(stamp) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _labelled_record(name: str, raw: bytes | None) -> dict[str, Any]:
    """The case as the JUnit test reads it: raw bytes (base64, null for a tombstone), Python's reason code (null
    when accepted) and, when accepted, Python's event (event_time as epoch microseconds)."""
    value = None if raw is None else base64.b64encode(raw).decode("ascii")
    try:
        event = validate_record(raw)
    except Rejection as rejection:
        return {"text": name, "value": value, "code": rejection.code, "event": None}
    event["event_time"] = _epoch_micros(event["event_time"])
    return {"text": name, "value": value, "code": None, "event": event}


def _write_data(folder: Path) -> None:
    folder.mkdir()
    (folder / "skill-tables.txt").write_text(default_matcher().compiled_tables(), "utf-8")
    cases = {"snippets": _labelled("skill_cases.yaml"), "postings": _labelled("skill_postings.yaml")}
    (folder / "skill-cases.json").write_text(json.dumps(cases), "utf-8")
    (folder / "gazetteer-tables.json").write_text(load_gazetteer().compiled_tables(), "utf-8")
    locations = [{"text": text, "slug": slug} for text, slug in _gazetteer_cases()]
    (folder / "gazetteer-cases.json").write_text(json.dumps(locations), "utf-8")
    (folder / "contract-rules.json").write_text(compiled_rules(), "utf-8")
    records = [_labelled_record(name, raw) for name, raw in _contract_records().items()]
    (folder / "contract-cases.json").write_text(json.dumps(records), "utf-8")


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
