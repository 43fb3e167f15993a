"""Posting event v1: the one definition of what travels on the postings topic.

Kafka key = ``event_id`` (UTF-8), value = UTF-8 JSON object with the fields
below. The Python validator, the Spark schema (``talent_pulse.stream.schema``)
and the producer all derive from ``FIELDS``.

Every rejection carries a reason ``code`` (stable, used for counting and
dashboards) and a human ``detail``; ``reason`` is ``"code: detail"``.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, TypeVar

SCHEMA_VERSION = 1
MAX_RECORD_BYTES = 256 * 1024
MAX_DESCRIPTION_CHARS = 50_000
MAX_TEXT_CHARS = 512
MAX_NUMBER_CHARS = 100  # a longer JSON number literal is malformed (no field needs one)
MAX_NESTING_DEPTH = 64  # deeper JSON is malformed (a posting is one flat object)
SENIORITY_LEVELS = ("intern", "junior", "mid", "senior", "lead", "principal", "executive")
_Number = TypeVar("_Number", int, float)
# Active ISO-4217 codes (the currency list of the standard, as of 2025).
CURRENCIES = (
    "AED",
    "AFN",
    "ALL",
    "AMD",
    "ANG",
    "AOA",
    "ARS",
    "AUD",
    "AWG",
    "AZN",
    "BAM",
    "BBD",
    "BDT",
    "BGN",
    "BHD",
    "BIF",
    "BMD",
    "BND",
    "BOB",
    "BOV",
    "BRL",
    "BSD",
    "BTN",
    "BWP",
    "BYN",
    "BZD",
    "CAD",
    "CDF",
    "CHE",
    "CHF",
    "CHW",
    "CLF",
    "CLP",
    "CNY",
    "COP",
    "COU",
    "CRC",
    "CUC",
    "CUP",
    "CVE",
    "CZK",
    "DJF",
    "DKK",
    "DOP",
    "DZD",
    "EGP",
    "ERN",
    "ETB",
    "EUR",
    "FJD",
    "FKP",
    "GBP",
    "GEL",
    "GHS",
    "GIP",
    "GMD",
    "GNF",
    "GTQ",
    "GYD",
    "HKD",
    "HNL",
    "HTG",
    "HUF",
    "IDR",
    "ILS",
    "INR",
    "IQD",
    "IRR",
    "ISK",
    "JMD",
    "JOD",
    "JPY",
    "KES",
    "KGS",
    "KHR",
    "KMF",
    "KPW",
    "KRW",
    "KWD",
    "KYD",
    "KZT",
    "LAK",
    "LBP",
    "LKR",
    "LRD",
    "LSL",
    "LYD",
    "MAD",
    "MDL",
    "MGA",
    "MKD",
    "MMK",
    "MNT",
    "MOP",
    "MRU",
    "MUR",
    "MVR",
    "MWK",
    "MXN",
    "MXV",
    "MYR",
    "MZN",
    "NAD",
    "NGN",
    "NIO",
    "NOK",
    "NPR",
    "NZD",
    "OMR",
    "PAB",
    "PEN",
    "PGK",
    "PHP",
    "PKR",
    "PLN",
    "PYG",
    "QAR",
    "RON",
    "RSD",
    "RUB",
    "RWF",
    "SAR",
    "SBD",
    "SCR",
    "SDG",
    "SEK",
    "SGD",
    "SHP",
    "SLE",
    "SLL",
    "SOS",
    "SRD",
    "SSP",
    "STN",
    "SVC",
    "SYP",
    "SZL",
    "THB",
    "TJS",
    "TMT",
    "TND",
    "TOP",
    "TRY",
    "TTD",
    "TWD",
    "TZS",
    "UAH",
    "UGX",
    "USD",
    "USN",
    "UYI",
    "UYU",
    "UYW",
    "UZS",
    "VED",
    "VES",
    "VND",
    "VUV",
    "WST",
    "XAF",
    "XCD",
    "XCG",
    "XOF",
    "XPF",
    "YER",
    "ZAR",
    "ZMW",
    "ZWG",
)
# event_time: ISO-8601 date and time with seconds, up to 6 fraction digits and an explicit UTC offset, within a
# plausible window, so every later stage (Spark, Parquet, pandas, DuckDB) can hold it.
TIMESTAMP_PATTERN = (
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?"
    r"(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))"
)
EARLIEST_EVENT_TIME = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)  # clocks of scrapers run ahead; more than this is a bad timestamp
# Characters that show nothing: text made only of them is empty. Categories, plus the letters and symbols that
# render as blanks (Hangul fillers, the blank Braille pattern).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
BLANK_CODE_POINTS = frozenset({0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800})


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # string | timestamp | boolean | number | integer
    required: bool
    description: str
    max_chars: int | None = None
    choices: tuple[str, ...] | None = None

    @property
    def needs_visible_text(self) -> bool:
        """Required text other than the description must show something."""
        return self.required and self.kind == "string" and self.name != "description"


FIELDS: tuple[Field, ...] = (
    Field("event_id", "string", True, "Unique id of this event; the Kafka key; duplicates count once", 128),
    Field("event_time", "timestamp", True, "When the posting was seen, ISO-8601 with a UTC offset"),
    Field("source", "string", True, "Board or scraper the posting came from", MAX_TEXT_CHARS),
    Field("job_id", "string", True, "The source's own id of the job", MAX_TEXT_CHARS),
    Field("title", "string", True, "Job title as scraped", MAX_TEXT_CHARS),
    Field("company", "string", True, "Hiring company as scraped", MAX_TEXT_CHARS),
    Field("location", "string", True, "Free-text location as scraped (normalised downstream)", MAX_TEXT_CHARS),
    Field("description", "string", True, "Posting text", MAX_DESCRIPTION_CHARS),
    Field("remote", "boolean", False, "Remote flag when the source states it"),
    Field("seniority", "string", False, "Seniority when known", None, SENIORITY_LEVELS),
    Field("salary_min", "number", False, "Lower bound of the advertised yearly salary"),
    Field("salary_max", "number", False, "Upper bound of the advertised yearly salary"),
    Field("salary_currency", "string", False, "ISO-4217 currency code of the salary (upper case)", 3, CURRENCIES),
    Field("schema_version", "integer", True, f"Contract version, {SCHEMA_VERSION}"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
REQUIRED_FIELDS = tuple(f.name for f in FIELDS if f.required)


class Rejection(ValueError):
    """A record that breaks the contract; ``code`` is stable, ``detail`` explains."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    @property
    def reason(self) -> str:
        return f"{self.code}: {self.detail}"


REASON_CODES = (
    "too_large",
    "not_utf8",
    "malformed_json",
    "not_an_object",
    "unsupported_schema_version",
    "missing_field",
    "wrong_type",
    "bad_timestamp",
    "bad_value",
    "duplicate_key",
)


_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)


def parse_timestamp(value: str) -> datetime:
    """``TIMESTAMP_PATTERN`` text → aware UTC datetime; ValueError when it is not one or names no real moment."""
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        raise ValueError("not YYYY-MM-DDTHH:MM:SS[.ffffff] with Z or +hh:mm")
    year, month, day, hour, minute, second, fraction, sign, offset_hours, offset_minutes = match.groups()
    offset = timedelta(0)
    if sign is not None:
        if int(offset_hours) > 23 or int(offset_minutes) > 59:
            raise ValueError("UTC offset out of range")
        offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes)) * (1 if sign == "+" else -1)
    local = datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second),
        int((fraction or "0").ljust(6, "0")),
        tzinfo=timezone(offset),
    )
    try:
        return local.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError("before year 1 in UTC") from None


def _check_window(name: str, moment: datetime, now: datetime) -> None:
    if not EARLIEST_EVENT_TIME <= moment <= now + FUTURE_SLACK:
        raise Rejection(
            "bad_timestamp",
            f"{name}={moment.isoformat()} is outside {EARLIEST_EVENT_TIME.year} … now + {FUTURE_SLACK.days} day",
        )


def is_invisible(code_point: int) -> bool:
    return code_point in BLANK_CODE_POINTS or unicodedata.category(chr(code_point)) in INVISIBLE_CATEGORIES


@lru_cache(maxsize=1)
def invisible_ranges() -> tuple[tuple[int, int], ...]:
    """Every invisible code point as sorted inclusive ranges: the table the JVM validator applies."""
    ranges: list[tuple[int, int]] = []
    start = None
    for code_point in range(0x110000 + 1):
        invisible = code_point <= 0x10FFFF and is_invisible(code_point)
        if invisible and start is None:
            start = code_point
        elif not invisible and start is not None:
            ranges.append((start, code_point - 1))
            start = None
    return tuple(ranges)


def has_visible_character(text: str) -> bool:
    return any(not is_invisible(ord(ch)) for ch in text)


def _is_finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a double
        return False


def _check_field(spec: Field, value: Any, now: datetime) -> Any:
    if spec.kind in ("string", "timestamp"):
        if not isinstance(value, str):
            raise Rejection("wrong_type", f"{spec.name} must be a string, got {type(value).__name__}")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a \ud800-style escape: valid JSON, but no UTF-8 writer accepts it
                raise Rejection(
                    "not_utf8", f"{spec.name} contains an unpaired surrogate escape; send real UTF-8 text"
                ) from None
        if spec.kind == "timestamp":
            try:
                moment = parse_timestamp(value)
            except ValueError:
                raise Rejection(
                    "bad_timestamp",
                    f"{spec.name}={value[:40]!r} is not ISO-8601 (YYYY-MM-DDTHH:MM:SS[.ffffff] with Z or +hh:mm)",
                ) from None
            _check_window(spec.name, moment, now)
        if spec.needs_visible_text and not has_visible_character(value):
            raise Rejection("bad_value", f"{spec.name} is empty (no visible character)")
        if spec.max_chars is not None and len(value) > spec.max_chars:
            raise Rejection("too_large", f"{spec.name} has {len(value)} characters, limit {spec.max_chars}")
        if spec.choices is not None and value not in spec.choices:
            raise Rejection(
                "bad_value",
                f"{spec.name}={value[:40]!r} is not one of {', '.join(spec.choices[:8])}"
                f"{' …' if len(spec.choices) > 8 else ''}",
            )
        return value
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            raise Rejection("wrong_type", f"{spec.name} must be true or false, got {type(value).__name__}")
        return value
    if spec.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not _is_finite(value):
            raise Rejection("wrong_type", f"{spec.name} must be a finite number, got {value!r:.40}")
        if value < 0:
            raise Rejection("bad_value", f"{spec.name} must not be negative")
        return float(value)
    if spec.kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise Rejection("wrong_type", f"{spec.name} must be an integer, got {type(value).__name__}")
        return value
    raise AssertionError(f"unknown field kind {spec.kind}")


def validate_event(obj: Any, now: datetime | None = None) -> dict[str, Any]:
    """A decoded JSON value → the event as a dict of contract fields, or raise ``Rejection``."""
    if not isinstance(obj, dict):
        raise Rejection("not_an_object", f"top-level JSON value is a {type(obj).__name__}, not an object")
    now = now or datetime.now(UTC)
    version = obj.get("schema_version")
    if version is not None:
        if isinstance(version, bool) or not isinstance(version, int):
            raise Rejection("wrong_type", f"schema_version must be an integer, got {type(version).__name__}")
        if version != SCHEMA_VERSION:
            raise Rejection(
                "unsupported_schema_version", f"schema_version={str(version)[:20]}, this reader knows {SCHEMA_VERSION}"
            )
    event: dict[str, Any] = {}
    for spec in FIELDS:
        value = obj.get(spec.name)
        if value is None:
            if spec.required:
                raise Rejection("missing_field", f"{spec.name} is required")
            event[spec.name] = None
            continue
        event[spec.name] = _check_field(spec, value, now)
    low, high = event["salary_min"], event["salary_max"]
    if low is not None and high is not None and low > high:
        raise Rejection("bad_value", f"salary_min {low:g} is above salary_max {high:g}")
    return event


class _Decoded:
    """json.loads hooks: number literals bounded in length, duplicate keys remembered (not fatal until the end)."""

    def __init__(self) -> None:
        self.duplicate: str | None = None

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs) and self.duplicate is None:
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.duplicate = key
                    break
                seen.add(key)
        return obj

    @staticmethod
    def number(convert: Callable[[str], _Number]) -> Callable[[str], _Number]:
        def bounded(literal: str) -> _Number:
            if len(literal) > MAX_NUMBER_CHARS:
                raise ValueError(f"a number literal has {len(literal)} digits, limit {MAX_NUMBER_CHARS}")
            return convert(literal)

        return bounded


def _nesting_depth(value: Any) -> int:
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def decode_json(text: str) -> Any:
    """UTF-8-decoded record text → the JSON value, or raise ``Rejection`` (malformed_json, duplicate_key)."""
    decoded = _Decoded()
    try:
        obj = json.loads(
            text, object_pairs_hook=decoded.pairs, parse_int=_Decoded.number(int), parse_float=_Decoded.number(float)
        )
    except (ValueError, RecursionError) as exc:
        raise Rejection("malformed_json", str(exc)[:120] or type(exc).__name__) from exc
    if _nesting_depth(obj) > MAX_NESTING_DEPTH:
        raise Rejection("malformed_json", f"JSON nested deeper than {MAX_NESTING_DEPTH} levels")
    if decoded.duplicate is not None:
        raise Rejection(
            "duplicate_key", f"key {decoded.duplicate[:40]!r} appears twice in one object; send each field once"
        )
    return obj


def validate_record(value: Any, now: datetime | None = None) -> dict[str, Any]:
    """Raw Kafka value → validated event, or raise ``Rejection`` with the reason; never another exception."""
    if value is None:
        raise Rejection("malformed_json", "record has no value (tombstone)")
    if isinstance(value, str):
        try:
            value = value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise Rejection("not_utf8", f"unpaired surrogate at character {exc.start}") from exc
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise Rejection("malformed_json", f"record value must be bytes, got {type(value).__name__}")
    value = bytes(value)
    if len(value) > MAX_RECORD_BYTES:
        raise Rejection("too_large", f"record is {len(value)} bytes, limit {MAX_RECORD_BYTES}")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejection("not_utf8", f"invalid UTF-8 at byte {exc.start}") from exc
    return validate_event(decode_json(text), now)


RULES_FORMAT = "talent-pulse-contract-rules"


def compiled_rules() -> str:
    """Every rule `validate_record` decides with, as JSON, for the JVM validator that applies them in Spark
    (glue_or_emr_jobs/skill-matcher, io.talentpulse.contract); tests hold the two to the same reason codes."""
    return json.dumps(
        {
            "format": RULES_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "max_record_bytes": MAX_RECORD_BYTES,
            "max_number_chars": MAX_NUMBER_CHARS,
            "max_nesting_depth": MAX_NESTING_DEPTH,
            "timestamp_pattern": TIMESTAMP_PATTERN,
            "earliest_event_time_epoch_seconds": int(EARLIEST_EVENT_TIME.timestamp()),
            "future_slack_seconds": int(FUTURE_SLACK.total_seconds()),
            "invisible_ranges": invisible_ranges(),
            "fields": [
                {
                    "name": spec.name,
                    "kind": spec.kind,
                    "required": spec.required,
                    "max_chars": spec.max_chars,
                    "choices": spec.choices,
                    "needs_visible_text": spec.needs_visible_text,
                }
                for spec in FIELDS
            ],
        }
    )


def encode_event(event: dict[str, Any]) -> tuple[bytes, bytes]:
    """A valid event → (Kafka key, Kafka value). Fields outside the contract are not sent."""
    payload = {name: event.get(name) for name in FIELD_NAMES if event.get(name) is not None}
    payload["schema_version"] = SCHEMA_VERSION
    return event["event_id"].encode("utf-8"), json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )
