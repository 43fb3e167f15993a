"""Pure-Python skill matcher: text -> sorted canonical skill names.

The taxonomy is compiled once into token-keyed tables, so a posting costs one
tokenising regex pass plus a dictionary lookup per token, whatever the number
of skills. Rules (see talent_pulse/data/skills.yaml for the data):

- aliases match whole tokens, case-insensitively; the longest phrase starting
  at a token wins and consumes its tokens ("React Native" is not also "React",
  "Spring Boot" is not also "Spring", "SQL Server" is not also "SQL");
- an ambiguous form counts only with its case (when the skill is
  case-sensitive), not next to a listed non-technical neighbour ("Go to",
  "Spark joy", "Sous Chef"), and with a technical context within the window:
  a version number right after it, a context word, another matched skill, or
  another ambiguous form within 3 tokens ("Go, Rust").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from talent_pulse.skills.taxonomy import Skill, Taxonomy, load_taxonomy, tokenize

VERSION_TOKEN = re.compile(r"v?\d{1,2}(?:\.\d+){0,2}(?:\.x)?")
NEIGHBOUR_AMBIGUOUS_WINDOW = 3
TOKEN_SEPARATOR = "\n"


@dataclass(frozen=True)
class _AmbiguousRule:
    name: str
    accepted: frozenset[str] | None  # original-case spellings that may count; None = any case
    context: frozenset[str]
    not_followed_by: frozenset[str]
    not_preceded_by: frozenset[str]


class SkillMatcher:
    def __init__(self, taxonomy: Taxonomy):
        self._window = taxonomy.context_window
        phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._ambiguous: dict[str, _AmbiguousRule] = {}
        for skill in taxonomy.skills:
            for form in skill.safe_forms:
                tokens = tuple(token.lower() for token in tokenize(form))
                phrases.setdefault(tokens[0], []).append((tokens, skill.name))
            for lowered, rule in _ambiguous_rules(skill, taxonomy.context_words):
                self._ambiguous[lowered] = rule
        # Longest phrase first, so the first phrase that fits is the longest one.
        self._phrases = {first: sorted(entries, key=lambda entry: -len(entry[0]))
                         for first, entries in phrases.items()}
        self._keys = frozenset(self._phrases) | frozenset(self._ambiguous)

    def extract(self, text: str | None) -> list[str]:
        """Sorted canonical names of the skills mentioned in `text` (title + "\\n" + description)."""
        if not text:
            return []
        tokens = tokenize(text)
        lowered = TOKEN_SEPARATOR.join(tokens).lower().split(TOKEN_SEPARATOR)
        keys = self._keys
        candidates = [index for index, token in enumerate(lowered) if token in keys]
        if not candidates:
            return []
        found: set[str] = set()
        matched_at: list[int] = []
        pending: list[tuple[int, _AmbiguousRule]] = []
        next_free = 0
        for index in candidates:
            if index < next_free:
                continue
            length, name = self._longest_phrase(lowered, index)
            if name is not None:
                found.add(name)
                matched_at.append(index)
                next_free = index + length
                continue
            rule = self._ambiguous.get(lowered[index])
            if rule is not None and (rule.accepted is None or tokens[index] in rule.accepted):
                pending.append((index, rule))
        for index, rule in pending:
            if rule.name not in found and self._in_context(index, rule, tokens, lowered, matched_at, pending):
                found.add(rule.name)
        return sorted(found)

    def extract_many(self, texts: Sequence[str | None]) -> list[list[str]]:
        return [self.extract(text) for text in texts]

    def _longest_phrase(self, lowered: list[str], index: int) -> tuple[int, str | None]:
        for form, name in self._phrases.get(lowered[index], ()):
            if len(form) == 1 or tuple(lowered[index:index + len(form)]) == form:
                return len(form), name
        return 0, None

    def _in_context(self, index: int, rule: _AmbiguousRule, tokens: list[str], lowered: list[str],
                    matched_at: list[int], pending: list[tuple[int, _AmbiguousRule]]) -> bool:
        following = lowered[index + 1] if index + 1 < len(lowered) else ""
        preceding = lowered[index - 1] if index > 0 else ""
        if following in rule.not_followed_by or preceding in rule.not_preceded_by:
            return False
        if following and VERSION_TOKEN.fullmatch(tokens[index + 1]):
            return True
        window = self._window
        if any(abs(position - index) <= window for position in matched_at):
            return True
        if any(other is not rule and abs(position - index) <= NEIGHBOUR_AMBIGUOUS_WINDOW
               for position, other in pending):
            return True
        nearby = lowered[max(0, index - window):index] + lowered[index + 1:index + 1 + window]
        return not rule.context.isdisjoint(nearby)


def _ambiguous_rules(skill: Skill, context_words: frozenset[str]):
    context = frozenset(word.lower() for word in skill.context)
    if not skill.own_context_only:
        context |= context_words
    by_lowered: dict[str, set[str]] = {}
    for form in skill.ambiguous:
        by_lowered.setdefault(form.lower(), set()).update({form, form.upper()})
    for lowered, spellings in by_lowered.items():
        yield lowered, _AmbiguousRule(
            name=skill.name,
            accepted=frozenset(spellings) if skill.case_sensitive else None,
            context=context,
            not_followed_by=frozenset(word.lower() for word in skill.not_followed_by),
            not_preceded_by=frozenset(word.lower() for word in skill.not_preceded_by),
        )


@lru_cache(maxsize=1)
def default_matcher() -> SkillMatcher:
    """The matcher over the packaged taxonomy, built once per process (and so once per Spark worker)."""
    return SkillMatcher(load_taxonomy())
