"""The words that say a job is remote, from ``data/remote_words.json`` (the one list).

The gazetteer matches them as token phrases in location text; the streaming job matches
``REMOTE_PATTERN``, the same phrases as one case-insensitive regular expression (Java syntax,
for Spark's ``rlike``; Python's ``re`` reads it the same way), in titles and descriptions.
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


_Trie = dict[str, "_Trie"]


def trie_pattern(phrases: frozenset[tuple[str, ...]]) -> str:
    r"""One regular expression that finds any of `phrases` (words apart by whitespace) as whole words, its
    alternation factored as a trie of characters: at each position of a text at most one branch goes on, so
    a long description costs about half what a flat alternation of the phrases does (benchmarks.md)."""
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for unit in _WORD_GAP.join(phrase):
            node = node.setdefault(unit, {})
        node[_END] = {}

    def alternatives(node: _Trie) -> str:
        branches = [
            (r"\s+" if unit == _WORD_GAP else re.escape(unit)) + alternatives(rest)
            for unit, rest in sorted(node.items())
            if unit != _END
        ]
        if not branches:
            return ""
        if len(branches) == 1 and _END not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if _END in node else "")

    return r"(?i)\b" + alternatives(trie) + r"\b"


_WORD_GAP, _END = "\x00", ""
REMOTE_PHRASES, NEGATIONS = _load()
REMOTE_PATTERN = trie_pattern(REMOTE_PHRASES)
