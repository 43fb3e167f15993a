from __future__ import annotations

import json
from datetime import UTC

import pytest

from talent_pulse.contract import (
    FIELD_NAMES,
    MAX_DESCRIPTION_CHARS,
    MAX_RECORD_BYTES,
    REASON_CODES,
    REQUIRED_FIELDS,
    SCHEMA_VERSION,
    Rejection,
    encode_event,
    parse_timestamp,
    validate_record,
)

MINIMAL = {
    "event_id": "evt-0001",
    "event_time": "2026-11-29T08:15:00Z",
    "source": "board-a",
    "job_id": "job-42",
    "title": "Senior Data Engineer",
    "company": "Acme",
    "location": "Berlin (Hybrid)",
    "description": "Build streaming pipelines with Spark and Kafka.",
    "schema_version": SCHEMA_VERSION,
}
FULL = {
    **MINIMAL,
    "remote": False,
    "seniority": "senior",
    "salary_min": 70000,
    "salary_max": 95000.5,
    "salary_currency": "EUR",
}


def as_bytes(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def with_(**changes) -> bytes:
    return as_bytes({**FULL, **changes})


def without(name: str) -> bytes:
    return as_bytes({k: v for k, v in FULL.items() if k != name})


def rejection(value: bytes | None) -> Rejection:
    with pytest.raises(Rejection) as caught:
        validate_record(value)
    assert caught.value.code in REASON_CODES
    assert caught.value.reason == f"{caught.value.code}: {caught.value.detail}"
    return caught.value


# --- rejected: (raw bytes, reason code, text the detail must contain) ---------------------

BAD = {
    **{f"missing {name}": (without(name), "missing_field", name) for name in REQUIRED_FIELDS},
    "null required field": (with_(title=None), "missing_field", "title"),
    "number as string": (with_(salary_min="70000"), "wrong_type", "salary_min"),
    "string as number": (with_(title=12345), "wrong_type", "title"),
    "bool as number": (with_(salary_max=True), "wrong_type", "salary_max"),
    "string as bool": (with_(remote="true"), "wrong_type", "remote"),
    "array": (with_(company=["Acme", "Globex"]), "wrong_type", "company"),
    "object": (with_(location={"city": "Berlin"}), "wrong_type", "location"),
    "float schema_version": (with_(schema_version=1.0), "wrong_type", "schema_version"),
    "timestamp without offset": (with_(event_time="2026-11-29T08:15:00"), "bad_timestamp", "event_time"),
    "date only": (with_(event_time="2026-11-29"), "bad_timestamp", "event_time"),
    "garbage timestamp": (with_(event_time="yesterday at noon"), "bad_timestamp", "event_time"),
    "empty timestamp": (with_(event_time=""), "bad_timestamp", "event_time"),
    "timestamp out of range in UTC": (with_(event_time="0001-01-01T00:00:00+01:00"), "bad_timestamp", "event_time"),
    "timestamp as number": (with_(event_time=1764404100), "wrong_type", "event_time"),
    "not UTF-8": (
        with_(title="Ingénieur").replace("Ingénieur".encode(), "Ingénieur".encode("latin-1")),
        "not_utf8",
        "byte",
    ),
    "unpaired surrogate escape": (with_(title="x").replace(b'"x"', b'"\\ud800"'), "not_utf8", "title"),
    "oversized record": (with_(description="x" * 10).replace(b"x" * 10, b"x" * MAX_RECORD_BYTES), "too_large", "bytes"),
    "oversized description": (with_(description="d" * (MAX_DESCRIPTION_CHARS + 1)), "too_large", "description"),
    "oversized title": (with_(title="t" * 513), "too_large", "title"),
    "unknown schema_version": (with_(schema_version=2), "unsupported_schema_version", "schema_version"),
    "malformed JSON": (with_()[:-5], "malformed_json", ""),
    "empty value": (b"", "malformed_json", ""),
    "top-level array": (as_bytes([FULL]), "not_an_object", "list"),
    "top-level string": (b'"hello"', "not_an_object", "str"),
    "top-level number": (b"42", "not_an_object", "int"),
    "top-level null": (b"null", "not_an_object", "NoneType"),
    "tombstone": (None, "malformed_json", "tombstone"),
    "empty title": (with_(title="   "), "bad_value", "title"),
    "empty company": (with_(company=""), "bad_value", "company"),
    "bad seniority": (with_(seniority="guru"), "bad_value", "seniority"),
    "salary_min above salary_max": (with_(salary_min=100000, salary_max=90000), "bad_value", "salary_min"),
    "negative salary": (with_(salary_min=-1), "bad_value", "salary_min"),
    "NaN": (with_(salary_min=0).replace(b'"salary_min": 0', b'"salary_min": NaN'), "wrong_type", "salary_min"),
    "Infinity": (
        with_(salary_max=0).replace(b'"salary_max": 0', b'"salary_max": Infinity'),
        "wrong_type",
        "salary_max",
    ),
    "number too large for a double": (
        with_(salary_max=0).replace(b'"salary_max": 0', b'"salary_max": 1e400'),
        "wrong_type",
        "salary_max",
    ),
    "number literal over the length limit": (with_(salary_max=10**400), "malformed_json", "digits"),
    "integer beyond the digit limit": (
        with_(salary_max=0).replace(b'"salary_max": 0', b'"salary_max": ' + b"9" * 5000),
        "malformed_json",
        "digits",
    ),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, "malformed_json", ""),
    "nested past the depth limit": (with_(extra=json.loads("[" * 64 + "]" * 64)), "malformed_json", "deeper"),
    "byte order mark": (b"\xef\xbb\xbf" + with_(), "malformed_json", "BOM"),
    "year 9999": (with_(event_time="9999-12-31T23:59:59Z"), "bad_timestamp", "outside"),
    "year 1 in UTC": (with_(event_time="0001-01-01T00:00:00Z"), "bad_timestamp", "outside"),
    "before 1990": (with_(event_time="1989-12-31T23:59:59Z"), "bad_timestamp", "outside"),
    "far in the future": (with_(event_time="2999-01-01T00:00:00Z"), "bad_timestamp", "outside"),
    "seven fraction digits": (with_(event_time="2026-11-29T08:15:00.1234567Z"), "bad_timestamp", "event_time"),
    "offset of 24 hours": (with_(event_time="2026-11-29T08:15:00+24:00"), "bad_timestamp", "event_time"),
    "no seconds": (with_(event_time="2026-11-29T08:15Z"), "bad_timestamp", "event_time"),
    "31 November": (with_(event_time="2026-11-31T08:15:00Z"), "bad_timestamp", "event_time"),
    **{
        f"invisible title U+{ord(ch):04X}": (with_(title=ch * 3), "bad_value", "title")
        for ch in "\u200b\ufeff\u3164\u2800\u00ad\u034f\u202e\u2066\x00\x1f"
    },
    "zero-width company": (with_(company="\u200b \u200d"), "bad_value", "company"),
    "NUL event_id": (with_(event_id="\x00"), "bad_value", "event_id"),
    **{
        f"currency {code!r}": (with_(salary_currency=code), "bad_value", "salary_currency")
        for code in ("€", "💰", "   ", "12", "usd", "XYZ")
    },
    "duplicate schema_version": (with_()[:-1] + b', "schema_version": 2}', "duplicate_key", "schema_version"),
    "duplicate key in a nested object": (
        with_(extra={"a": 1}).replace(b'{"a": 1}', b'{"a": 1, "a": 2}'),
        "duplicate_key",
        "'a'",
    ),
    "duplicate key and malformed later": (with_()[:-1] + b', "title": "x", }', "malformed_json", ""),
}


@pytest.mark.parametrize("raw, code, named", list(BAD.values()), ids=list(BAD))
def test_bad_records_are_rejected_with_a_reason(raw, code, named):
    error = rejection(raw)
    assert error.code == code
    assert named in error.detail


@pytest.mark.parametrize(
    "value",
    [42, 10**5000, 1.5, float("nan"), ["x"], {"title": "x"}, object(), True],
    ids=["int", "5000-digit int", "float", "nan", "list", "dict", "object", "bool"],
)
def test_any_python_value_gets_a_rejection_never_another_exception(value):
    assert rejection(value).code == "malformed_json"


def test_text_and_byte_buffers_are_read_like_bytes():
    assert validate_record(with_().decode("utf-8"))["title"] == FULL["title"]
    assert validate_record(bytearray(with_()))["title"] == FULL["title"]
    assert rejection("\ud800").code == "not_utf8"


def test_the_window_ends_a_day_after_now():
    from datetime import datetime, timedelta

    now = datetime(2030, 6, 1, tzinfo=UTC)
    assert validate_record(with_(event_time="2030-06-01T23:59:59Z"), now=now)
    with pytest.raises(Rejection, match="bad_timestamp"):
        validate_record(with_(event_time="2030-06-02T00:00:01Z"), now=now)
    assert now - timedelta(days=1) > datetime(1990, 1, 1, tzinfo=UTC)


def test_visible_text_with_invisible_characters_around_it_is_kept():
    event = validate_record(with_(title="\u200bData Engineer\u00ad", company="\u3164Acme"))
    assert event["title"] == "\u200bData Engineer\u00ad" and event["company"] == "\u3164Acme"


def test_every_required_field_is_covered():
    assert set(REQUIRED_FIELDS) == {
        "event_id",
        "event_time",
        "source",
        "job_id",
        "title",
        "company",
        "location",
        "description",
        "schema_version",
    }


# --- accepted ---------------------------------------------------------------------------------


def test_minimal_record_fills_optional_fields_with_none():
    event = validate_record(as_bytes(MINIMAL))
    assert tuple(event) == FIELD_NAMES
    assert {k: event[k] for k in MINIMAL} == MINIMAL
    assert all(event[k] is None for k in FIELD_NAMES if k not in MINIMAL)


def test_full_record_keeps_every_field_and_salaries_become_floats():
    event = validate_record(as_bytes(FULL))
    assert event == {**FULL, "salary_min": 70000.0, "salary_max": 95000.5}
    assert isinstance(event["salary_min"], float)


@pytest.mark.parametrize(
    "text",
    [
        "Ingénieur logiciel à Montréal",
        "データエンジニア（東京）",
        "Инженер данных",
        "مهندس بيانات",
        "🚀 Rocket engineer",
    ],
)
def test_unicode_text_is_accepted_unchanged(text):
    event = validate_record(with_(title=text, description=text * 3))
    assert event["title"] == text and event["description"] == text * 3


@pytest.mark.parametrize(
    "stamp, utc",
    [
        ("2026-11-29T08:15:00Z", "2026-11-29T08:15:00+00:00"),
        ("2026-11-29T08:15:00z", "2026-11-29T08:15:00+00:00"),
        ("2026-11-29T10:15:00+02:00", "2026-11-29T08:15:00+00:00"),
        ("2026-11-29T03:15:00.123456-05:00", "2026-11-29T08:15:00.123456+00:00"),
        ("2026-11-29T08:15:00+00:00", "2026-11-29T08:15:00+00:00"),
    ],
)
def test_timestamps_with_an_offset_are_accepted(stamp, utc):
    assert validate_record(with_(event_time=stamp))["event_time"] == stamp
    assert parse_timestamp(stamp).isoformat() == utc


def test_unknown_fields_are_ignored():
    event = validate_record(with_(employer_rating=4.5, tags=["x"], location_detail={"lat": 1}))
    assert set(event) == set(FIELD_NAMES)


def test_empty_description_and_zero_salary_are_allowed():
    event = validate_record(with_(description="", salary_min=0, salary_max=0))
    assert event["description"] == "" and event["salary_min"] == 0.0


def test_limits_are_inclusive():
    event = validate_record(with_(description="d" * MAX_DESCRIPTION_CHARS, salary_min=1, salary_max=1))
    assert len(event["description"]) == MAX_DESCRIPTION_CHARS


# --- encode_event ----------------------------------------------------------------------------


def test_encode_event_round_trips():
    key, value = encode_event(FULL)
    assert key == b"evt-0001"
    assert validate_record(value) == validate_record(as_bytes(FULL))


def test_encode_event_output_is_compact_utf8_json_without_nulls_or_extra_fields():
    event = {**MINIMAL, "title": "Ingénieur", "seniority": None, "internal_score": 0.9, "schema_version": 99}
    _, value = encode_event(event)
    decoded = json.loads(value.decode("utf-8"))
    assert "Ingénieur".encode() in value
    assert b'": ' not in value and b'", "' not in value
    assert set(decoded) == set(MINIMAL)
    assert decoded["schema_version"] == SCHEMA_VERSION
    assert validate_record(value)["title"] == "Ingénieur"
