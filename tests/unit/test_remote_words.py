"""The one list of remote words (talent_pulse/data/remote_words.json) and what is derived from it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talent_pulse import gazetteer
from talent_pulse.remote_words import NEGATIONS, REMOTE_PATTERN, REMOTE_PHRASES, trie_pattern


def test_the_gazetteer_uses_the_one_list():
    assert gazetteer._REMOTE_PHRASES == REMOTE_PHRASES
    assert gazetteer._NEGATIONS == NEGATIONS


def test_negations_are_words_not_yaml_booleans():
    assert NEGATIONS == ("no", "non", "not")


@pytest.mark.parametrize("phrase", sorted(" ".join(p) for p in REMOTE_PHRASES))
def test_the_pattern_finds_every_phrase_in_running_text(phrase):
    text = f"Senior Engineer ({phrase.upper()}), join us"
    assert re.search(REMOTE_PATTERN, text), phrase


@pytest.mark.parametrize("text", ["Remote-first team", "work  from home possible", "WFH two days", "anywhere in EU"])
def test_the_pattern_keeps_what_the_stream_matched_before(text):
    assert re.search(REMOTE_PATTERN, text)


@pytest.mark.parametrize("text", ["remotest island office", "homeoffices", "Berlin office", "telecom engineer"])
def test_the_pattern_needs_whole_words(text):
    assert not re.search(REMOTE_PATTERN, text)


def _flat_alternation(phrases: frozenset[tuple[str, ...]]) -> str:
    """The phrases as a plain alternation: what the trie-shaped pattern must find exactly as often."""
    return r"(?i)\b(" + "|".join(r"\s+".join(map(re.escape, phrase)) for phrase in phrases) + r")\b"


_PIECES = [
    *sorted({word for phrase in REMOTE_PHRASES for word in phrase}),
    "remot",
    "tele",
    "home",
    "ly",
    "s",
    "-",
    " ",
    "  ",
    "\n",
    "(",
    ")",
    "é",
    "_",
    "1",
    "Office",
    "REMOTE",
    "x",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_the_trie_shaped_pattern_finds_what_a_flat_alternation_finds(text):
    assert bool(re.search(REMOTE_PATTERN, text)) == bool(re.search(_flat_alternation(REMOTE_PHRASES), text)), text


@pytest.mark.parametrize(
    ("phrases", "text", "found"),
    [
        ({("ab",), ("abc",)}, "xx abc yy", True),  # the longer branch after the shorter one's end
        ({("ab",), ("abc",)}, "xx abcd yy", False),
        ({("a", "b"), ("ab",)}, "a \t b", True),
        ({("a.b",)}, "axb", False),  # metacharacters stay literal
    ],
)
def test_trie_pattern_over_small_phrase_sets(phrases, text, found):
    assert bool(re.search(trie_pattern(frozenset(phrases)), text)) is found
