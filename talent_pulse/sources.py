"""Where postings come from: each source has a ``name``, ``postings()`` yielding ``Posting``s and ``report()``.

- ``synthetic``: the generator, stamped with the current time;
- ``replay``: a JSON-lines file of postings (e.g. real scraped ads), filled in where a
  scraper leaves fields out and checked against the contract; lines that still break it
  are skipped and counted, never sent.

A real scraper adapter is one more class with the same three members.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from talent_pulse.contract import SCHEMA_VERSION, Rejection, validate_event
from talent_pulse.gazetteer import normalise_location
from talent_pulse.generator import Posting, PostingGenerator, iso_utc

Clock = Callable[[], datetime]
MAX_SKIP_SAMPLES = 10


def utc_now() -> datetime:
    return datetime.now(UTC)


class SyntheticSource:
    name = "synthetic"

    def __init__(self, seed: int = 0, clock: Clock = utc_now, generator: PostingGenerator | None = None):
        self.generator = generator or PostingGenerator(seed)
        self.clock = clock

    def postings(self) -> Iterator[Posting]:
        while True:
            yield self.generator.generate(self.clock())

    def report(self) -> dict[str, Any]:
        return {}


@dataclass
class ReplaySource:
    """Postings from a JSON-lines file, one object per line.

    Missing ``event_id`` is derived from the line (so replaying a file twice re-sends the
    same events, which count once), missing ``event_time`` is now (``retime`` stamps every
    posting with now), missing ``source`` is ``replay``. A ``skills`` list on the line, if
    any, is the ground truth.
    """

    path: Path
    retime: bool = False
    clock: Clock = utc_now
    name: str = "replay"
    skipped: Counter[str] = field(default_factory=Counter)
    skip_samples: list[str] = field(default_factory=list)

    def postings(self) -> Iterator[Posting]:
        with Path(self.path).open("rb") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    yield self._posting(line)
                except Rejection as rejection:
                    self._skip(number, rejection.code, rejection.detail)

    def _posting(self, line: bytes) -> Posting:
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise Rejection("malformed_json", str(exc)[:120]) from exc
        if not isinstance(obj, dict):
            raise Rejection("not_an_object", f"a line must hold one JSON object, got {type(obj).__name__}")
        labels = obj.get("skills")
        filled: dict[str, Any] = {
            "event_id": str(uuid.uuid5(uuid.NAMESPACE_OID, line.strip().decode("utf-8", "replace"))),
            "source": self.name,
            "schema_version": SCHEMA_VERSION,
            **obj,
        }
        if self.retime or "event_time" not in obj:
            filled["event_time"] = iso_utc(self.clock())
        event = validate_event(filled)
        skills = tuple(sorted(labels)) if isinstance(labels, list) and all(isinstance(s, str) for s in labels) else None
        return Posting(event, skills, normalise_location(event["location"]).slug, title_skills=None)

    def _skip(self, number: int, code: str, detail: str) -> None:
        self.skipped[code] += 1
        if len(self.skip_samples) < MAX_SKIP_SAMPLES:
            self.skip_samples.append(f"{self.path}:{number}: {code}: {detail}")

    def report(self) -> dict[str, Any]:
        return {
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": dict(self.skipped),
            "skip_samples": list(self.skip_samples),
        }
