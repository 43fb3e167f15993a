"""The skill taxonomy: loading and validating talent_pulse/data/skills.yaml.

A `Skill` has a canonical `name`, a `category` and its surface forms:

- `aliases`: forms that always count, matched case-insensitively on token
  boundaries ("k8s", "Golang", "Postgres", "scikit-learn"). The canonical name
  is one of them unless the name itself is ambiguous.
- `ambiguous`: ordinary words that count only in a technical context ("Go",
  "R", "Spark", "Swift", "Python"): a version number right after ("Go 1.22"),
  a context word or another skill within `context_window` tokens.
- `dominant`: forms whose technical sense is by far the usual one in a job ad
  ("Python", "Docker", "Helm"): they count unless the text says otherwise, by
  a neighbour (`not_followed_by`, `not_preceded_by`: "Helm of", "Sous Chef")
  or a `negative_context` word in the same sentence window ("snake",
  "vessel"). Negative context vetoes the `ambiguous` forms too.
- `needs_context`: True when the canonical name is one of those ambiguous
  (or dominant) forms. A text generator that wants a guaranteed extraction uses
  `safe_forms` (never needs context), or puts an ambiguous form next to another
  skill or a context word such as "developer".

The file is validated on load; every problem is reported at once with the
skill it belongs to, so a broken edit fails with a message saying what to fix.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

TAXONOMY_RESOURCE = "data/skills.yaml"
SKILL_KEYS = {
    "name",
    "category",
    "aliases",
    "ambiguous",
    "dominant",
    "case_sensitive",
    "context",
    "own_context_only",
    "not_followed_by",
    "not_preceded_by",
    "negative_context",
}
CATEGORIES = (
    "language",
    "frontend",
    "backend",
    "mobile",
    "database",
    "data",
    "ml",
    "cloud",
    "devops",
    "testing",
    "security",
    "tools",
    "practice",
    "embedded",
    "business",
)

# Tokens are runs of letters, digits and + # _ . - & (ASCII); other characters
# separate them. So "JavaScript", "go-to-market", "NoSQL", "R&D", "Node.js",
# "C++" and "C#" are single tokens, and hashtags lose their "#". Brackets,
# commas, slashes, colons and semicolons become the token "," so a phrase never
# spans them ("AWS (EMR" is not "AWS EMR"); a sentence end (". " "! " "? ")
# becomes the token "." that bounds context windows. Byte-level translate +
# replace + split keeps tokenising at C speed, whatever the taxonomy size.
SENTENCE_END = "."
PHRASE_BREAK = ","
_KEEP = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#_.-&"
SEPARATOR_BYTES = bytes(
    byte
    if byte in _KEEP
    else ord(SENTENCE_END)
    if byte in b"!?"
    else ord(PHRASE_BREAK)
    if byte in b"()[]{},/:;|"
    else ord(" ")
    for byte in range(256)
)


# Code points outside these ranges have no compatibility form and are not format characters (Unicode 14+).
_MAPPED_RANGES = (range(0x80, 0x30000), range(0xE0000, 0xE1000))


@lru_cache(maxsize=1)
def code_point_map() -> dict[int, str]:
    """Non-ASCII code points -> what the tokenizer reads instead, applied per code point (a table the JVM
    matcher applies the same way) before the byte map:
    - their NFKC form without format characters (Unicode category Cf), where that names an ASCII
      character: full-width and math letters ("Ｐｙｔｈｏｎ"), ligatures, superscripts; an ellipsis ("…",
      NFKC "...") becomes one dot, so that it ends a sentence as "..." does not;
    - "" for format characters (soft hyphens, zero-width characters, bidi controls) and combining marks;
    - "_" for any other cased letter, so that a word stays one token that names no skill ("Córdoba" is
      not "C" and "rdoba"); uncased scripts (CJK) keep separating words, as they are written without spaces.
    Every other code point separates tokens."""
    mapping = {}
    for block in _MAPPED_RANGES:
        for code_point in block:
            char = chr(code_point)
            category = unicodedata.category(char)
            compatible = char
            if category != "Cf" and unicodedata.decomposition(char):
                compatible = "".join(c for c in unicodedata.normalize("NFKC", char) if unicodedata.category(c) != "Cf")
            if category in ("Cf", "Mn"):
                mapping[code_point] = ""
            elif compatible != char and any(" " < c < "\x80" for c in compatible):
                mapping[code_point] = re.sub(r"\.{2,}", ".", compatible)
            elif category in ("Lu", "Ll", "Lt"):
                mapping[code_point] = "_"
    return mapping


def normalise(text: str) -> str:
    """ASCII text whose whitespace-separated words are the tokens (see the note above)."""
    if not text.isascii():
        text = text.translate(code_point_map())
    ascii_text = (" " + text + " ").encode("utf-8", "replace").translate(SEPARATOR_BYTES)
    return (
        ascii_text.replace(b" #", b"  ")
        .replace(b". ", b" . ")
        .replace(PHRASE_BREAK.encode(), f" {PHRASE_BREAK} ".encode())
        .decode("ascii")
    )


class TaxonomyError(ValueError):
    """The taxonomy file is invalid; the message lists every problem found."""


@dataclass(frozen=True)
class Skill:
    name: str
    category: str
    aliases: tuple[str, ...]
    ambiguous: tuple[str, ...] = ()  # every form whose meaning depends on context, the dominant ones too
    dominant: tuple[str, ...] = ()
    case_sensitive: bool = False
    context: tuple[str, ...] = ()
    own_context_only: bool = False
    not_followed_by: tuple[str, ...] = ()
    not_preceded_by: tuple[str, ...] = ()
    negative_context: tuple[str, ...] = ()

    @property
    def needs_context(self) -> bool:
        """True when the canonical name alone is ambiguous and counts only in a technical context."""
        return self.name in self.ambiguous

    @property
    def safe_forms(self) -> tuple[str, ...]:
        """Surface forms that are extracted wherever they appear on token boundaries."""
        return self.aliases if self.needs_context else (self.name, *self.aliases)


@dataclass(frozen=True)
class Taxonomy:
    skills: tuple[Skill, ...]
    context_words: frozenset[str]
    context_window: int

    def by_name(self) -> dict[str, Skill]:
        return {skill.name: skill for skill in self.skills}


def tokenize(text: str) -> list[str]:
    """Split text into matching tokens, original case kept; the same rule for aliases and postings."""
    return normalise(text).split()


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The packaged taxonomy (works from an installed package or a --py-files zip)."""
    text = resources.files("talent_pulse").joinpath(TAXONOMY_RESOURCE).read_text("utf-8")
    return parse_taxonomy(text, source=f"talent_pulse/{TAXONOMY_RESOURCE}")


def parse_taxonomy(text: str, source: str = "<taxonomy>") -> Taxonomy:
    try:
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("skills"), list):
        raise TaxonomyError(f"{source} must be a mapping with a `skills:` list")
    problems: list[str] = []
    parsed = [_parse_skill(entry, index, problems) for index, entry in enumerate(document["skills"])]
    skills = [skill for skill in parsed if skill is not None]
    _check_unique_forms(skills, problems)
    window = document.get("context_window", 6)
    if not isinstance(window, int) or window < 1:
        problems.append(f"context_window must be a positive integer, got {window!r}")
    context_words = document.get("context_words", [])
    if not _is_string_list(context_words):
        problems.append("context_words must be a list of strings")
        context_words = []
    if problems:
        raise TaxonomyError(
            f"{source} has {len(problems)} problem(s); fix them and reload:\n  - " + "\n  - ".join(problems)
        )
    return Taxonomy(tuple(skills), frozenset(word.lower() for word in context_words), window)


def _parse_skill(entry: object, index: int, problems: list[str]) -> Skill | None:
    where = f"skills[{index}]"
    if not isinstance(entry, dict):
        problems.append(f"{where}: expected a mapping with name, category, aliases; got {entry!r}")
        return None
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}: `name` must be a non-empty string")
        return None
    where = f"{where} ({name})"
    unknown = set(entry) - SKILL_KEYS
    if unknown:
        problems.append(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(SKILL_KEYS)}")
    if entry.get("category") not in CATEGORIES:
        problems.append(f"{where}: category {entry.get('category')!r} is not one of {list(CATEGORIES)}")
    lists = {}
    for key in (
        "aliases",
        "ambiguous",
        "dominant",
        "context",
        "not_followed_by",
        "not_preceded_by",
        "negative_context",
    ):
        value = entry.get(key, [])
        if not _is_string_list(value):
            problems.append(f"{where}: `{key}` must be a list of strings, got {value!r}")
            value = []
        lists[key] = tuple(dict.fromkeys(value))
    for form in (name, *lists["aliases"], *lists["ambiguous"], *lists["dominant"]):
        tokens = tokenize(form)
        if not tokens or any(token.endswith(SENTENCE_END) for token in tokens):
            problems.append(
                f"{where}: form {form!r} can never match: it must contain letters or digits "
                "and no word may end with a dot (a dot before a space ends a sentence)"
            )
    for form in (*lists["ambiguous"], *lists["dominant"]):
        if len(tokenize(form)) != 1:
            problems.append(f"{where}: ambiguous form {form!r} must be a single token; list phrases under aliases")
    for form in set(lists["ambiguous"]) & set(lists["dominant"]):
        problems.append(f"{where}: form {form!r} is under both `ambiguous` and `dominant`; keep it in one")
    if lists["dominant"] and not (lists["negative_context"] or lists["not_followed_by"] or lists["not_preceded_by"]):
        problems.append(
            f"{where}: `dominant` forms need the words that veto them: `negative_context`, "
            "`not_followed_by` or `not_preceded_by`"
        )
    if entry.get("own_context_only") and not lists["context"]:
        problems.append(f"{where}: own_context_only needs a `context` list")
    return Skill(
        name=name,
        category=str(entry.get("category")),
        aliases=lists["aliases"],
        ambiguous=(*lists["ambiguous"], *lists["dominant"]),
        dominant=lists["dominant"],
        case_sensitive=bool(entry.get("case_sensitive", False)),
        context=lists["context"],
        own_context_only=bool(entry.get("own_context_only", False)),
        not_followed_by=lists["not_followed_by"],
        not_preceded_by=lists["not_preceded_by"],
        negative_context=lists["negative_context"],
    )


def _check_unique_forms(skills: list[Skill], problems: list[str]) -> None:
    """Canonical names are unique, and no surface form (as tokens, any case) belongs to two skills."""
    names: dict[str, str] = {}
    owners: dict[tuple[str, ...], str] = {}
    for skill in skills:
        if skill.name.lower() in names:
            problems.append(f"canonical name {skill.name!r} is used twice (also {names[skill.name.lower()]!r})")
        names[skill.name.lower()] = skill.name
        for form in dict.fromkeys((*skill.safe_forms, *skill.ambiguous)):
            key = tuple(token.lower() for token in tokenize(form))
            owner = owners.setdefault(key, skill.name)
            if owner != skill.name:
                problems.append(
                    f"form {form!r} of {skill.name!r} is also claimed by {owner!r}; keep it in one skill only"
                )


def _is_string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)
