"""The words that say a job is remote, from ``data/remote_words.json`` (the one list).

The gazetteer matches them as token phrases in location text; the streaming job matches
``REMOTE_PATTERN``, the same phrases as one case-insensitive regular expression (Java syntax,
for Spark's ``rlike``), in titles and descriptions.
"""

from __future__ import annotations

import json
import re
from importlib import resources


def _load() -> tuple[frozenset[tuple[str, ...]], tuple[str, ...]]:
    raw = json.loads(resources.files("talent_pulse").joinpath("data/remote_words.json").read_text("utf-8"))
    phrases = frozenset(tuple(str(phrase).split()) for phrase in raw["phrases"])
    negations = tuple(str(word) for word in raw["negations"])
    return phrases, negations


REMOTE_PHRASES, NEGATIONS = _load()
# Longest phrases first, so an alternation never stops at a shorter phrase inside a longer one.
REMOTE_PATTERN = (
    r"(?i)\b("
    + "|".join(
        r"\s+".join(re.escape(word) for word in phrase)
        for phrase in sorted(REMOTE_PHRASES, key=lambda p: (-len(" ".join(p)), p))
    )
    + r")\b"
)
