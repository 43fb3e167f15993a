"""The JVM validator and gazetteer agree with the Python definitions they are compiled from.

The streaming job validates records and normalises locations in the JVM
(io.talentpulse.contract, io.talentpulse.locations) over tables that
talent_pulse.contract and talent_pulse.gazetteer compile. These tests hold the
two to the same answers on every unit-test case, on generated and chaos
records, and on random text (Hypothesis, bounded in examples).
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talent_pulse.chaos import ChaosInjector
from talent_pulse.contract import Rejection, parse_timestamp, validate_record
from talent_pulse.gazetteer import load_gazetteer, normalise_location
from talent_pulse.generator import PostingGenerator
from talent_pulse.stream.transforms import normalise_location as spark_locations
from talent_pulse.stream.transforms import parse_records

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
import test_contract
import test_gazetteer

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 1, tzinfo=UTC)
KAFKA_SCHEMA = "key binary, value binary, topic string, partition int, offset long, timestamp timestamp"


def python_verdict(value) -> tuple:
    try:
        event = validate_record(value)
    except Rejection as rejection:
        return (rejection.code,)
    event = {**event, "event_time": parse_timestamp(event["event_time"]).replace(tzinfo=None)}
    return (None, tuple(sorted(event.items())))


def jvm_verdicts(spark, values: list) -> list[tuple]:
    rows = [(b"k", value, "t", 0, offset, None) for offset, value in enumerate(values)]
    parsed = parse_records(spark.createDataFrame(rows, KAFKA_SCHEMA)).orderBy("kafka_offset").collect()
    fields = list(python_verdict(test_contract.with_())[1])
    names = [name for name, _ in fields]
    return [
        (row.reason_code,) if row.reason_code else (None, tuple(sorted((n, row[n]) for n in names))) for row in parsed
    ]


def assert_same_verdicts(spark, values: list) -> int:
    expected = [python_verdict(value) for value in values]
    actual = jvm_verdicts(spark, values)
    differences = [
        (value[:120] if value else value, want, got)
        for value, want, got in zip(values, expected, actual, strict=True)
        if want != got
    ]
    assert not differences, f"{len(differences)} of {len(values)} differ, e.g. {differences[:3]}"
    return len(values)


def test_contract_unit_cases_get_the_same_reason_codes(spark):
    cases = [raw for raw, _, _ in test_contract.BAD.values()]
    cases += [
        test_contract.with_(),
        test_contract.as_bytes(test_contract.MINIMAL),
        test_contract.with_(title="データエンジニア（東京）", event_time="2026-11-29T03:15:00.123456-05:00"),
    ]
    assert assert_same_verdicts(spark, cases) == len(test_contract.BAD) + 3


def test_generated_and_chaos_records_get_the_same_verdicts(spark):
    generator = PostingGenerator(seed=11)
    postings = (generator.generate(START + timedelta(seconds=i)) for i in range(20_000))
    records = list(ChaosInjector(0.3, seed=5).records(postings))
    values = [record.value for record in records]
    assert len({record.kind for record in records}) >= 12
    assert assert_same_verdicts(spark, values) == 20_000


_JSON_TEXT = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


_RECORD = st.tuples(
    st.dictionaries(st.sampled_from(sorted(test_contract.FULL)), _JSON_TEXT | st.text(), max_size=6),
    st.binary(max_size=4),
    st.integers(0, 400),
    st.booleans(),
)


def _random_records(drawn: list[tuple]) -> list[bytes]:
    records = []
    for fields, noise, cut, ascii_only in drawn:
        whole = json.dumps({**test_contract.FULL, **fields}, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
        records += [whole, whole[:cut] + noise + whole[cut:], noise]
    return records


# Each example is a batch of records, so one Spark job checks many of them.
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(st.lists(_RECORD, min_size=40, max_size=40))
def test_random_records_get_the_same_verdicts(spark, drawn):
    assert_same_verdicts(spark, _random_records(drawn))


def _location_texts() -> list[str]:
    raw = json.loads(test_gazetteer.DATA_FILE.read_text("utf-8"))
    texts = [alias for entry in raw["locations"] for alias in entry["aliases"]]
    texts += [entry.get("city") or entry.get("name") for entry in raw["locations"]]
    texts += [text for text, _ in test_gazetteer.CASES] + list(test_gazetteer.TRAPS)
    rng = random.Random(3)
    generator = PostingGenerator(seed=12)
    generated = [generator.generate(START + timedelta(minutes=i)).event["location"] for i in range(3000)]
    variants = []
    for text in texts + generated:
        variants += [
            text.upper(),
            f"  {text} (Remote) ",
            f"{text} -- hybrid",
            text.replace(" ", "\u00a0"),
            "".join(ch + ("\u200b" if rng.random() < 0.2 else "") for ch in text),
        ]
    return texts + generated + variants + ["", "   ", "---", "a" + "-" * 300, "\x00", "🚀", "No remote, Non-remote"]


def assert_same_locations(spark, texts: list[str]) -> int:
    frame = spark.createDataFrame([(i, text) for i, text in enumerate(texts)], "i long, location string")
    rows = spark_locations(frame).orderBy("i").collect()
    differences = []
    for text, row in zip(texts, rows, strict=True):
        expected = normalise_location(text)
        got = (row.location, row.city, row.country, row.region)
        if got != (expected.slug, expected.city, expected.country, expected.region):
            differences.append((text, expected.slug, got))
    assert not differences, f"{len(differences)} of {len(texts)} differ, e.g. {differences[:5]}"
    return len(texts)


def test_gazetteer_cases_aliases_and_variants_get_the_same_locations(spark):
    assert assert_same_locations(spark, _location_texts()) > 20_000


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(
    st.lists(
        st.text(max_size=40) | st.sampled_from(sorted(load_gazetteer()._claims)).map(str.title),
        min_size=100,
        max_size=100,
    )
)
def test_random_unicode_locations_get_the_same_locations(spark, texts):
    assert_same_locations(spark, [a + ", " + b for a, b in zip(texts, reversed(texts), strict=True)] + texts)
