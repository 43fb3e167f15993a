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
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

SCHEMA_VERSION = 1
MAX_RECORD_BYTES = 256 * 1024
MAX_DESCRIPTION_CHARS = 50_000
MAX_TEXT_CHARS = 512
SENIORITY_LEVELS = ("intern", "junior", "mid", "senior", "lead", "principal", "executive")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # string | timestamp | boolean | number | integer
    required: bool
    description: str
    max_chars: int | None = None
    choices: tuple[str, ...] | None = None


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
    Field("salary_currency", "string", False, "ISO-4217 currency of the salary", 3),
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
)


def parse_timestamp(value: str) -> datetime:
    """ISO-8601 with an explicit offset (``Z`` or ``+hh:mm``) → aware UTC datetime."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("no UTC offset")
    return parsed.astimezone(timezone.utc)


def _is_finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a double
        return False


def _check_field(spec: Field, value: Any) -> Any:
    if spec.kind in ("string", "timestamp"):
        if not isinstance(value, str):
            raise Rejection("wrong_type", f"{spec.name} must be a string, got {type(value).__name__}")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a \ud800-style escape: valid JSON, but no UTF-8 writer accepts it
                raise Rejection("not_utf8", f"{spec.name} contains an unpaired surrogate escape; send real UTF-8 text")
        if spec.kind == "timestamp":
            try:
                parse_timestamp(value)
            except (ValueError, OverflowError):
                raise Rejection("bad_timestamp", f"{spec.name}={value[:40]!r} is not ISO-8601 with a UTC offset")
        if spec.required and spec.name != "description" and not value.strip():
            raise Rejection("bad_value", f"{spec.name} is empty")
        if spec.max_chars is not None and len(value) > spec.max_chars:
            raise Rejection("too_large", f"{spec.name} has {len(value)} characters, limit {spec.max_chars}")
        if spec.choices is not None and value not in spec.choices:
            raise Rejection("bad_value", f"{spec.name}={value[:40]!r} is not one of {', '.join(spec.choices)}")
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


def validate_event(obj: Any) -> dict[str, Any]:
    """A decoded JSON value → the event as a dict of contract fields, or raise ``Rejection``."""
    if not isinstance(obj, dict):
        raise Rejection("not_an_object", f"top-level JSON value is a {type(obj).__name__}, not an object")
    version = obj.get("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        raise Rejection("unsupported_schema_version", f"schema_version={version!r:.20}, this reader knows {SCHEMA_VERSION}")
    event: dict[str, Any] = {}
    for spec in FIELDS:
        value = obj.get(spec.name)
        if value is None:
            if spec.required:
                raise Rejection("missing_field", f"{spec.name} is required")
            event[spec.name] = None
            continue
        event[spec.name] = _check_field(spec, value)
    low, high = event["salary_min"], event["salary_max"]
    if low is not None and high is not None and low > high:
        raise Rejection("bad_value", f"salary_min {low:g} is above salary_max {high:g}")
    return event


def validate_record(value: bytes | None) -> dict[str, Any]:
    """Raw Kafka value → validated event, or raise ``Rejection`` with the reason."""
    if value is None:
        raise Rejection("malformed_json", "record has no value (tombstone)")
    if len(value) > MAX_RECORD_BYTES:
        raise Rejection("too_large", f"record is {len(value)} bytes, limit {MAX_RECORD_BYTES}")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejection("not_utf8", f"invalid UTF-8 at byte {exc.start}")
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError: also integers beyond Python's digit limit
        raise Rejection("malformed_json", str(exc)[:120])
    return validate_event(obj)


def encode_event(event: dict[str, Any]) -> tuple[bytes, bytes]:
    """A valid event → (Kafka key, Kafka value). Fields outside the contract are not sent."""
    payload = {name: event.get(name) for name in FIELD_NAMES if event.get(name) is not None}
    payload["schema_version"] = SCHEMA_VERSION
    return event["event_id"].encode("utf-8"), json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )
