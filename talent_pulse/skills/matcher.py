"""Pure-Python skill matcher: text -> sorted canonical skill names.

The taxonomy is compiled once into token-keyed tables. A posting costs a
byte-level translate + split and one set intersection with the alias tokens, at
C speed whatever the number of skills; only tokens whose meaning depends on
their neighbours (phrase starts, ambiguous words) are then located and checked
in Python. Rules (see talent_pulse/data/skills.yaml for the data):

- aliases match whole tokens, case-insensitively; the longest phrase starting
  at a token wins and consumes its tokens ("React Native" is not also "React",
  "Spring Boot" is not also "Spring", "SQL Server" is not also "SQL");
- a one-token alias also counts with a version glued to it ("Python3.11",
  "Java17", ".NET8") or a compound suffix ("Python-based", "Kubernetes-native"):
  no English word takes those, so this holds for ambiguous names of three or
  more letters too, but not for shorter ones ("R2", "Go-to-market");
- a context-dependent form counts only with its case (when the skill is
  case-sensitive), not next to a listed non-technical neighbour ("Go to",
  "Spark joy", "Sous Chef") and not with one of its negative context words in
  the window and the same sentence ("Helm of the vessel"). A `dominant` form
  ("Python", "Docker") then counts; an `ambiguous` one ("Go", "R") needs a
  technical context: a version number right after it, or within the window and
  the same sentence a context word, another matched skill, or another
  ambiguous form within 3 tokens ("Go, Rust");
- forms glued by "&" or "+" ("HTML&CSS", "Java+Spring") count when every part
  is a form ("R&D" is not R);
- every step looks at a bounded neighbourhood of each token, so the time is
  linear in the text length whatever the text repeats.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from talent_pulse.skills.taxonomy import (
    SENTENCE_END,
    SEPARATOR_BYTES,
    Skill,
    Taxonomy,
    code_point_map,
    load_taxonomy,
    normalise,
    tokenize,
)

VERSION_TOKEN = re.compile(r"v?[0-9]{1,2}(?:\.[0-9]+){0,2}(?:\.x)?")
NEIGHBOUR_AMBIGUOUS_WINDOW = 3
# Words that make a compound adjective of a skill name: "Python-based", "cloud-native" tooling.
COMPOUND_SUFFIXES = (
    "-based",
    "-native",
    "-powered",
    "-driven",
    "-first",
    "-compatible",
    "-centric",
    "-enabled",
    "-focused",
    "-oriented",
    "-certified",
    "-specific",
    "-backed",
)
MIN_ATTACHED_AMBIGUOUS = 3  # "Python3" is Python; "R2" and "C4" are not R and C
_DIGITS = b"0123456789"
# "HTML&CSS", "Java+Spring": split at every "&", and at a "+" between letters or digits ("C++" stays whole).
_GLUE = re.compile(r"&|(?<=[A-Za-z0-9])\+(?=[A-Za-z0-9])")
TABLES_FORMAT = "talent-pulse-skill-tables\t2"


@dataclass(frozen=True)
class _AmbiguousRule:
    name: str
    accepted: frozenset[str] | None  # original-case spellings that may count; None = any case
    dominant: bool  # counts unless vetoed; otherwise it needs a technical context
    context: frozenset[str]
    not_followed_by: frozenset[str]
    not_preceded_by: frozenset[str]
    negative_context: frozenset[str]


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
        self._phrases = {first: sorted(entries, key=lambda entry: -len(entry[0])) for first, entries in phrases.items()}
        # Tokens that are a whole alias and start no longer phrase: one dict hit, no phrase scan.
        self._single = {
            first: entries[0][1]
            for first, entries in self._phrases.items()
            if len(entries) == 1 and len(entries[0][0]) == 1
        }
        self._keys = frozenset(self._phrases) | frozenset(self._ambiguous)
        # Tokens whose meaning depends on their neighbours: they need positions.
        self._positional = self._keys - frozenset(self._single)
        # One-token names that may carry a glued version or a compound suffix, and the forms
        # they take once the digits of a glued version are removed ("python3.11" -> "python.").
        self._whole = {
            lowered: rule.name for lowered, rule in self._ambiguous.items() if len(lowered) >= MIN_ATTACHED_AMBIGUOUS
        }
        self._whole.update(
            (form[0], name) for entries in self._phrases.values() for form, name in entries if len(form) == 1
        )
        self._unversioned = {
            stripped: name
            for token, name in self._whole.items()
            if not token[-1].isdigit()
            for stripped in (token, token + ".", token + ".x", token + "v")
        }
        # Tokens inside longer phrases: a single-token hit there may be part of the phrase ("SQL" in "SQL Server").
        self._inner = frozenset(
            token for entries in self._phrases.values() for form, _ in entries for token in form[1:]
        )
        # The forms a "&"/"+"-glued token may be made of, with the spellings they must keep (None: any case).
        self._glued: dict[str, tuple[str, frozenset[str] | None]] = {
            form[0]: (name, None) for entries in self._phrases.values() for form, name in entries if len(form) == 1
        }
        self._glued.update((lowered, (rule.name, rule.accepted)) for lowered, rule in self._ambiguous.items())

    def extract(self, text: object) -> list[str]:
        """Sorted canonical names of the skills mentioned in `text` (title + "\\n" + description).
        Anything that is not a non-empty string (None, NaN, a number) has no skills."""
        if not isinstance(text, str) or not text:
            return []
        normalised = normalise(text)
        lowered_text = normalised.lower()
        lowered = lowered_text.split()
        hits = self._keys.intersection(lowered)
        single = self._single
        attached = self._attached(normalised, lowered_text, lowered, hits)
        if hits.isdisjoint(self._positional):
            return sorted({single[token] for token in hits} | attached)
        positional = hits & self._positional
        candidates = sorted(index for token in positional for index in _positions(lowered, token))
        found: set[str] = attached
        covered: set[int] = set()  # positions inside matched phrases
        matched: set[int] = set()  # where matched phrases start, and one-token aliases
        pending: dict[int, _AmbiguousRule] = {}
        tokens: list[str] | None = None  # original case, split only when an ambiguous form needs it
        next_free = 0
        for index in candidates:
            if index < next_free:
                continue
            length, name = self._longest_phrase(lowered, index)
            if name is not None:
                found.add(name)
                covered.update(range(index, index + length))
                matched.add(index)
                next_free = index + length
                continue
            rule = self._ambiguous.get(lowered[index])
            if rule is None:
                continue
            if rule.accepted is not None:
                tokens = tokens or normalised.split()
                if tokens[index] not in rule.accepted:
                    continue
            pending[index] = rule
        singles = hits - positional
        for token in singles:
            positions = list(_positions(lowered, token))
            matched.update(positions)
            if token not in self._inner or not covered.issuperset(positions):
                found.add(single[token])
        # Dominant forms first: each one that counts is a matched skill, context for the others ("Go, Kafka").
        confirmed = [
            index
            for index, rule in pending.items()
            if rule.dominant and self._in_context(index, rule, lowered, matched, {})
        ]
        found.update(pending[index].name for index in confirmed)
        matched.update(confirmed)
        # A neighbouring ambiguous form must be another one ("Go, Rust"): with a single form pending there is none.
        neighbours = pending if len(set(map(id, pending.values()))) > 1 else {}
        for index, rule in pending.items():
            if (
                not rule.dominant
                and rule.name not in found
                and self._in_context(index, rule, lowered, matched, neighbours)
            ):
                found.add(rule.name)
        return sorted(found)

    def extract_many(self, texts: Sequence[str | None]) -> list[list[str]]:
        return [self.extract(text) for text in texts]

    def compiled_tables(self) -> str:
        """Everything `extract` decides with, as text, for the JVM matcher that runs the same algorithm in Spark
        (glue_or_emr_jobs/skill-matcher). One record a line, fields split by tab, lists by \\x1f; names
        are numbered in sorted order, so sorting ids sorts names as Python does."""
        names = sorted(
            {name for entries in self._phrases.values() for _, name in entries}
            | {rule.name for rule in self._ambiguous.values()}
        )
        ids = {name: str(number) for number, name in enumerate(names)}
        words = "\x1f".join
        lines = [
            TABLES_FORMAT,
            f"window\t{self._window}",
            f"neighbour_window\t{NEIGHBOUR_AMBIGUOUS_WINDOW}",
            f"version_token\t{VERSION_TOKEN.pattern}",
            f"sentence_end\t{SENTENCE_END}",
            f"compound_suffixes\t{words(COMPOUND_SUFFIXES)}",
            f"separators\t{SEPARATOR_BYTES.hex()}",
        ]
        lines += [f"name\t{name}" for name in names]
        lines += [
            f"phrase\t{first}\t{ids[name]}\t{' '.join(form)}"
            for first, entries in self._phrases.items()
            for form, name in entries
        ]
        lines += [f"single\t{token}\t{ids[name]}" for token, name in self._single.items()]
        lines += [
            f"ambiguous\t{lowered}\t{ids[rule.name]}\t{_spellings(rule.accepted)}\t"
            f"{words(sorted(rule.context))}\t{words(sorted(rule.not_followed_by))}\t"
            f"{words(sorted(rule.not_preceded_by))}\t{words(sorted(rule.negative_context))}\t"
            f"{'dominant' if rule.dominant else 'needs_context'}"
            for lowered, rule in self._ambiguous.items()
        ]
        lines += [f"whole\t{token}\t{ids[name]}" for token, name in self._whole.items()]
        lines += [f"unversioned\t{token}\t{ids[name]}" for token, name in self._unversioned.items()]
        lines += [f"positional\t{token}" for token in sorted(self._positional)]
        lines += [f"inner\t{token}" for token in sorted(self._inner)]
        lines += [
            f"glued\t{token}\t{ids[name]}\t{_spellings(accepted)}" for token, (name, accepted) in self._glued.items()
        ]
        # Code point -> replacement, both as UTF-8 hex (the replacement may be empty).
        lines += [
            f"code_point\t{chr(code_point).encode().hex()}\t{replacement.encode().hex()}"
            for code_point, replacement in sorted(code_point_map().items())
        ]
        return "\n".join(lines) + "\n"

    def _attached(self, normalised: str, lowered_text: str, lowered: list[str], hits: frozenset[str]) -> set[str]:
        """Skills named only with a glued version or a compound suffix ("Python3.11", "Python-based"),
        or glued to another form by "&" or "+" ("HTML&CSS", "Java+Spring")."""
        digitless = lowered_text.encode("ascii").translate(None, _DIGITS).decode("ascii").split()
        # A stripped token that is not also a plain token came from a token with digits in it.
        stripped = self._unversioned.keys() & set(digitless) - hits
        found = {self._unversioned[token] for token in stripped - set(lowered)} if stripped else set()
        for suffix in COMPOUND_SUFFIXES:
            if suffix in lowered_text:
                found.update(
                    self._whole[token[: -len(suffix)]]
                    for token in lowered
                    if token.endswith(suffix) and token not in hits and token[: -len(suffix)] in self._whole
                )
        if "&" in lowered_text or "+" in lowered_text:
            for token in normalised.split():
                if ("&" in token or "+" in token) and token.lower() not in hits:
                    found.update(self._glued_forms(token))
        return found

    def _glued_forms(self, token: str) -> list[str]:
        parts = _GLUE.split(token)
        names = []
        for part in parts:
            name, accepted = self._glued.get(part.lower(), (None, None))
            if name is None or (accepted is not None and part not in accepted):
                return []
            names.append(name)
        return names if len(parts) > 1 else []

    def _longest_phrase(self, lowered: list[str], index: int) -> tuple[int, str | None]:
        for form, name in self._phrases.get(lowered[index], ()):
            if len(form) == 1 or tuple(lowered[index : index + len(form)]) == form:
                return len(form), name
        return 0, None

    def _in_context(
        self,
        index: int,
        rule: _AmbiguousRule,
        lowered: list[str],
        matched: set[int],
        neighbours: dict[int, _AmbiguousRule],
    ) -> bool:
        if _blocked(index, rule, lowered):
            return False
        start, end = _sentence_window(lowered, index, self._window)
        nearby = lowered[start:end]
        if not rule.negative_context.isdisjoint(nearby):
            return False
        if rule.dominant:
            return True
        following = lowered[index + 1] if index + 1 < len(lowered) else ""
        if following and not following.isalpha() and VERSION_TOKEN.fullmatch(following):  # a version has digits
            return True
        if matched and not matched.isdisjoint(range(start, end)):  # `index` itself is pending, never matched
            return True
        if neighbours:
            for position in range(
                max(start, index - NEIGHBOUR_AMBIGUOUS_WINDOW), min(end, index + NEIGHBOUR_AMBIGUOUS_WINDOW + 1)
            ):
                other = neighbours.get(position)
                if other is not None and other is not rule and not _blocked(position, other, lowered):
                    return True
        return not rule.context.isdisjoint(nearby)


def _blocked(index: int, rule: _AmbiguousRule, lowered: list[str]) -> bool:
    """The neighbours say this is the ordinary word ("Go to", "Spark joy", "Sous Chef")."""
    following = lowered[index + 1] if index + 1 < len(lowered) else ""
    preceding = lowered[index - 1] if index > 0 else ""
    return following in rule.not_followed_by or preceding in rule.not_preceded_by


def _positions(tokens: list[str], token: str) -> Iterator[int]:
    index = -1
    try:
        while True:
            index = tokens.index(token, index + 1)
            yield index
    except ValueError:
        return


def _sentence_window(lowered: list[str], index: int, window: int) -> tuple[int, int]:
    """[start, end) of the tokens within `window` of `index` that are in the same sentence."""
    start = max(0, index - window)
    before = lowered[start:index]
    if SENTENCE_END in before:
        start += len(before) - before[::-1].index(SENTENCE_END)
    after = lowered[index + 1 : index + window + 1]
    return start, index + 1 + (after.index(SENTENCE_END) if SENTENCE_END in after else len(after))


def _spellings(accepted: frozenset[str] | None) -> str:
    return "*" if accepted is None else "\x1f".join(sorted(accepted))


def _ambiguous_rules(skill: Skill, context_words: frozenset[str]) -> Iterator[tuple[str, _AmbiguousRule]]:
    context = frozenset(word.lower() for word in skill.context)
    if not skill.own_context_only:
        context |= context_words
    dominant = {form.lower() for form in skill.dominant}
    by_lowered: dict[str, set[str]] = {}
    for form in skill.ambiguous:
        by_lowered.setdefault(form.lower(), set()).update({form, form.upper()})
    for lowered, spellings in by_lowered.items():
        yield (
            lowered,
            _AmbiguousRule(
                name=skill.name,
                accepted=frozenset(spellings) if skill.case_sensitive else None,
                dominant=lowered in dominant,
                context=context,
                not_followed_by=frozenset(word.lower() for word in skill.not_followed_by),
                not_preceded_by=frozenset(word.lower() for word in skill.not_preceded_by),
                negative_context=frozenset(word.lower() for word in skill.negative_context),
            ),
        )


@lru_cache(maxsize=1)
def default_matcher() -> SkillMatcher:
    """The matcher over the packaged taxonomy, built once per process (and so once per Spark worker)."""
    return SkillMatcher(load_taxonomy())
