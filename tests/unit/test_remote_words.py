"""The one list of remote words (talent_pulse/data/remote_words.json) and what is derived from it."""

from __future__ import annotations

import re

import pytest

from talent_pulse import gazetteer
from talent_pulse.remote_words import NEGATIONS, REMOTE_PATTERN, REMOTE_PHRASES


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
