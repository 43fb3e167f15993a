"""Chaos injection: turn a share of clean postings into the bad input real scrapers send.

Every record carries its label: the chaos ``kind`` and the contract reason code the
validator must reject it with (``None`` for kinds that stay valid: a re-sent duplicate, a
late event, an empty description). Records that introduce a new valid posting carry its
ground truth; rejected records and re-sent duplicates carry none, so the truth is exactly
what the pipeline should count.
"""

from __future__ import annotations

import json
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from talent_pulse.contract import (
    MAX_DESCRIPTION_CHARS,
    MAX_RECORD_BYTES,
    REQUIRED_FIELDS,
    encode_event,
    parse_timestamp,
)
from talent_pulse.generator import Posting, iso_utc

CLEAN = "clean"
RECENT_FOR_DUPLICATES = 1000


@dataclass(frozen=True)
class Record:
    key: bytes | None
    value: bytes
    kind: str  # CLEAN or a chaos kind
    expected_code: str | None  # the contract reason code it must be rejected with; None = valid
    truth: dict[str, Any] | None  # ground truth when this record brings a new valid posting


def _json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _malformed_json(rng: random.Random, event: dict[str, Any]) -> bytes:
    text = _json(event).decode("utf-8")
    return text[: rng.randrange(1, len(text) - 1)].encode("utf-8")


def _not_an_object(rng: random.Random, event: dict[str, Any]) -> bytes:
    return _json(rng.choice(([event], "posting", 42)))


def _missing_field(rng: random.Random, event: dict[str, Any]) -> bytes:
    dropped = rng.choice(REQUIRED_FIELDS)
    return _json({k: v for k, v in event.items() if k != dropped})


def _wrong_type(rng: random.Random, event: dict[str, Any]) -> bytes:
    name, value = rng.choice(
        (
            ("title", 12345),
            ("company", ["Acme"]),
            ("remote", "yes"),
            ("salary_min", "50k"),
            ("description", {"text": "..."}),
            ("event_id", 7),
        )
    )
    return _json({**event, name: value})


def _bad_timestamp(rng: random.Random, event: dict[str, Any]) -> bytes:
    stamp = rng.choice(
        (
            "yesterday",
            "2025-13-45T10:00:00Z",
            event["event_time"].rstrip("Z"),
            "1717236000",
            "",
            "9999-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "1989-12-31T23:59:59Z",
        )
    )
    return _json({**event, "event_time": stamp})


def _bad_value(rng: random.Random, event: dict[str, Any]) -> bytes:
    change = rng.choice(
        (
            {"seniority": "wizard"},
            {"salary_min": 90000.0, "salary_max": 50000.0},
            {"title": "   "},
            {"company": "\u200b\ufeff"},
            {"title": "\u3164"},
            {"event_id": "\x00"},
            {"salary_currency": "€"},
            {"salary_currency": "usd"},
        )
    )
    return _json({**event, **change})


def _huge_description(rng: random.Random, event: dict[str, Any]) -> bytes:
    # Either over the description limit or over the whole-record limit: both are too_large.
    size = rng.choice((MAX_DESCRIPTION_CHARS + 1000, MAX_RECORD_BYTES + 1000))
    body = (event["description"] + " ") * (size // (len(event["description"]) + 1) + 1)
    return _json({**event, "description": body[:size]})


def _not_utf8(rng: random.Random, event: dict[str, Any]) -> bytes:
    value = _json(event)
    garbage = rng.choice((b"\xff\xfe", b"\xc3\x28", b"\xe9t\xe9", b"\x80"))
    return value.replace(b'"description":"', b'"description":"' + garbage, 1)


def _unknown_schema_version(rng: random.Random, event: dict[str, Any]) -> bytes:
    return _json({**event, "schema_version": rng.choice((0, 2, 99))})


def _duplicate_key(rng: random.Random, event: dict[str, Any]) -> bytes:
    name = rng.choice(("schema_version", "title", "location", "event_id"))
    value = _json(event)
    repeated = _json({name: rng.choice((2, "Engineer", "Berlin"))})[1:-1]
    return value[:-1] + b"," + repeated + b"}"


# kind -> (contract reason code the validator must give, corruption)
CORRUPTIONS: dict[str, tuple[str, Callable[[random.Random, dict[str, Any]], bytes]]] = {
    "malformed_json": ("malformed_json", _malformed_json),
    "not_an_object": ("not_an_object", _not_an_object),
    "missing_field": ("missing_field", _missing_field),
    "wrong_type": ("wrong_type", _wrong_type),
    "bad_timestamp": ("bad_timestamp", _bad_timestamp),
    "bad_value": ("bad_value", _bad_value),
    "huge_description": ("too_large", _huge_description),
    "not_utf8": ("not_utf8", _not_utf8),
    "unknown_schema_version": ("unsupported_schema_version", _unknown_schema_version),
    "duplicate_key": ("duplicate_key", _duplicate_key),
}
VALID_KINDS = ("duplicate", "late_event", "empty_description")
CHAOS_KINDS = (*CORRUPTIONS, *VALID_KINDS)
EXPECTED_CODE: dict[str, str | None] = {
    **{k: code for k, (code, _) in CORRUPTIONS.items()},
    **{k: None for k in VALID_KINDS},
}


class ChaosInjector:
    """Replaces a share ``rate`` of postings with chaos records, kinds drawn uniformly from ``kinds``."""

    def __init__(self, rate: float, seed: int = 0, kinds: Iterable[str] = CHAOS_KINDS):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"chaos rate must be between 0 and 1, got {rate}")
        self.kinds = tuple(kinds)
        unknown = set(self.kinds) - set(CHAOS_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"unknown chaos kinds {sorted(unknown)}; choose from {', '.join(CHAOS_KINDS)}")
        self.rate = rate
        self.rng = random.Random(f"chaos-{seed}")
        self._recent_clean: deque[Record] = deque(maxlen=RECENT_FOR_DUPLICATES)

    def records(self, postings: Iterable[Posting]) -> Iterator[Record]:
        for posting in postings:
            if self.rate and self.rng.random() < self.rate:
                yield self._chaos(posting, self.rng.choice(self.kinds))
            else:
                yield self._clean(posting)

    def _clean(self, posting: Posting) -> Record:
        key, value = encode_event(posting.event)
        record = Record(key, value, CLEAN, None, posting.truth())
        self._recent_clean.append(record)
        return record

    def _chaos(self, posting: Posting, kind: str) -> Record:
        key = posting.event["event_id"].encode("utf-8")
        if kind in CORRUPTIONS:
            code, corrupt = CORRUPTIONS[kind]
            return Record(key, corrupt(self.rng, posting.event), kind, code, None)
        if kind == "duplicate":
            if not self._recent_clean:
                return self._clean(posting)
            original = self.rng.choice(self._recent_clean)
            return Record(original.key, original.value, kind, None, None)
        if kind == "late_event":
            shifted = parse_timestamp(posting.event["event_time"]) - timedelta(hours=self.rng.uniform(2, 48))
            event = {**posting.event, "event_time": iso_utc(shifted)}
            return Record(*encode_event(event), kind, None, posting.truth())
        event = {**posting.event, "description": ""}
        return Record(*encode_event(event), kind, None, posting.truth(description_removed=True))
