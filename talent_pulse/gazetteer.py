"""Locations gazetteer: free-text location as scraped → canonical ``Location``.

The data lives in ``data/locations.json``; Terraform reads the same file for the Athena
partition-projection enum of the ``location`` partition, so every slug this module can
return is a queryable partition.

How text resolves (first rule that applies):

1. the whole text, folded (case, accents, punctuation, spacing), equals an alias → that entry;
2. otherwise it is cut into parts at ``, ; / | ( ) [ ]`` and spaced dashes; remote words
   (remote, WFH, work from home, …) set a remote flag and are dropped, hybrid/on-site and
   filler words are ignored, and the rest is matched against city, country, state/province
   and remote-scope names;
3. the first city named wins when every country or state named beside it agrees
   ("Portland, OR" → ``portland-us``); when they disagree, or no known city is named, the
   named country gives the country-level entry ("Paris, TX" → ``country-us``,
   "Texas" → ``country-us``, "Germany" → ``country-de``);
4. remote and a country → ``remote-<cc>`` if listed, else the remote entry of the
   country's region ("Remote, Switzerland" → ``remote-eu``); a region on its own means
   remote ("Europe" → ``remote-eu``); remote with nothing else → ``remote-global``;
   a named city beats the remote flag ("London (Remote)" → ``london-gb``);
5. nothing recognised → ``unknown``.

Two-letter codes are read as US/Canadian/Australian states before ISO country codes
("Remote, CA" → ``remote-us``), because "City, ST" is how most scrapers write US places.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NoReturn, TypeVar

from talent_pulse.remote_words import NEGATIONS as _NEGATIONS
from talent_pulse.remote_words import REMOTE_PHRASES as _REMOTE_PHRASES

UNKNOWN_SLUG = "unknown"
GLOBAL_REGION = "global"
KINDS = ("city", "country", "remote", "unknown")
LOCATION_KEYS = frozenset({"slug", "kind", "name", "city", "country", "region", "subdivision", "aliases", "lat", "lon"})
SUBDIVISION_KEYS = frozenset({"country", "name", "aliases"})
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
NORMALISE_CACHE_SIZE = 1 << 17
TABLES_FORMAT = "talent-pulse-gazetteer-tables"

# Names shorter than this are only matched when they are a whole part ("Portland, OR"),
# never inside running text, where "in", "or", "me" are words rather than states.
_MIN_SCAN_CHARS = 3
# "no remote", "non-remote": the text says the job is NOT remote; the words are dropped without the flag
_NOT_REMOTE_PHRASES = frozenset((negation, *phrase) for negation in _NEGATIONS for phrase in _REMOTE_PHRASES)
_MAX_REMOTE_PHRASE = max(len(p) for p in _NOT_REMOTE_PHRASES)
_IGNORED_WORDS = frozenset(
    {
        "hybrid",
        "hibrido",
        "hybride",
        "onsite",
        "on",
        "site",
        "in",
        "office",
        "person",
        "presencial",
        "based",
        "only",
        "area",
        "greater",
        "metro",
        "metropolitan",
        "region",
        "within",
        "from",
        "the",
        "of",
        "or",
        "and",
        "und",
        "et",
        "y",
        "near",
        "around",
        "nearby",
        "preferred",
        "optional",
        "possible",
        "ok",
        "friendly",
        "first",
        "fully",
        "flexible",
        "hq",
        "headquarters",
        "campus",
        "downtown",
        "centre",
        "center",
        "time",
        "zone",
        "timezone",
        "hours",
        "multiple",
        "location",
        "locations",
        "any",
        "job",
        "role",
        "position",
    }
)
# Ignored words that, last after a name, are a state code: "London ON" is Ontario ("on site" is a phrase).
_CODES_OVER_WORDS = frozenset({"on"})
_LETTER_FOLDS = {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_BREAK_CHARS = frozenset(",;/|()[]{}•·+")
_DASHES = frozenset("-–—")
_MAX_CODE_POINT = 0x10FFFF
_Found = TypeVar("_Found")


class GazetteerError(ValueError):
    """The locations file breaks a rule; the message names the entry and how to fix it."""


@dataclass(frozen=True)
class Location:
    slug: str
    city: str | None
    country: str | None
    region: str
    # WGS84 degrees, cities only (a country or remote scope is not a point); not part of a place's identity
    lat: float | None = field(default=None, compare=False)
    lon: float | None = field(default=None, compare=False)


@lru_cache(maxsize=1 << 16)
def _fold_char(ch: str) -> str:
    if unicodedata.category(ch) == "Cf":  # zero-width and soft hyphens, bidi controls: invisible, so gone
        return ""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", ch).casefold())
    return "".join(_LETTER_FOLDS.get(c, c) for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def fold_table() -> dict[str, str]:
    """Every character `fold` changes, with what it becomes: the one definition the JVM applies too."""
    table = {}
    for ch in _assigned_characters():
        folded = _fold_char.__wrapped__(ch)
        if folded != ch:
            table[ch] = folded
    return table


def _assigned_characters() -> Iterator[str]:
    """Every character but unassigned, private-use and surrogate code points, which every rule leaves alone."""
    for code_point in range(_MAX_CODE_POINT + 1):
        ch = chr(code_point)
        if unicodedata.category(ch) not in ("Cn", "Co", "Cs"):
            yield ch


def fold(text: str) -> str:
    """NFKC, format characters removed, lower case without accents, character by character:
    "München" → "munchen", "İstanbul" → "istanbul", "𝐋𝐨𝐧𝐝𝐨𝐧" → "london", "Lon\u200bdon" → "london"."""
    return "".join(map(_fold_char, text))


def _words(text: str) -> list[str]:
    """Runs of letters and digits (`str.isalnum`); everything else separates them."""
    words, current = [], []
    for ch in text:
        if ch.isalnum():
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _parts(folded: str) -> list[str]:
    """Cut at , ; / | ( ) [ ] { } • · + and at dash runs with white space on either side, in one pass."""
    parts, start, i, n = [], 0, 0, len(folded)
    while i < n:
        ch = folded[i]
        if ch in _BREAK_CHARS:
            parts.append(folded[start:i])
            start = i = i + 1
            continue
        if ch in _DASHES:
            end = i
            while end < n and folded[end] in _DASHES:
                end += 1
            if (i > 0 and folded[i - 1].isspace()) or (end < n and folded[end].isspace()):
                parts.append(folded[start:i])
                start = end
            i = end
            continue
        i += 1
    parts.append(folded[start:])
    return parts


ALNUM, DIGIT, SPACE = 1, 2, 4


@lru_cache(maxsize=1)
def character_classes() -> list[list[int]]:
    """[first, last, flags] ranges of the characters that are letters-or-digits (ALNUM), digits (DIGIT) or
    white space (SPACE) as Python's str methods say: the JVM asks this table, not its own Unicode tables."""
    ranges: list[list[int]] = []
    for ch in _assigned_characters():
        flags = (ALNUM if ch.isalnum() else 0) | (DIGIT if ch.isdigit() else 0) | (SPACE if ch.isspace() else 0)
        code_point = ord(ch)
        if flags and ranges and ranges[-1][1] == code_point - 1 and ranges[-1][2] == flags:
            ranges[-1][1] = code_point
        elif flags:
            ranges.append([code_point, code_point, flags])
    return ranges


def match_key(text: str) -> str:
    """The form aliases are compared in: folded, punctuation gone, single spaces."""
    return " ".join(_words(fold(text)))


@dataclass
class _Facts:
    """What one name can mean; a name may be a city, a country and a state at once ("New York")."""

    cities: list[Location] = field(default_factory=list)
    country_names: list[str] = field(default_factory=list)
    subdivisions: list[tuple[str, str]] = field(default_factory=list)
    iso_codes: list[str] = field(default_factory=list)
    scope: Location | None = None

    @property
    def names_a_place(self) -> bool:
        return bool(self.country_names or self.subdivisions or self.iso_codes)

    def country(self) -> str:
        return (self.country_names + [cc for cc, _ in self.subdivisions] + self.iso_codes)[0]


@dataclass(frozen=True)
class _Mention:
    facts: _Facts
    after_unrecognised_text: bool

    @property
    def names_another_city(self) -> bool:
        """ "Berlin or New York": a second city, not the state New York disagreeing with Berlin."""
        return bool(self.facts.cities) and not self.after_unrecognised_text


def _append_new(items: list[Any], item: Any) -> None:
    if item not in items:
        items.append(item)


class Gazetteer:
    """Validated gazetteer data plus the indexes ``normalise`` resolves text with."""

    def __init__(self, raw: Any):
        _require(isinstance(raw, dict), "the file must hold one JSON object with 'regions' and 'locations'")
        self.regions: tuple[str, ...] = _validate_regions(raw.get("regions"))
        entries = raw.get("locations")
        _require(isinstance(entries, list) and bool(entries), "'locations' must be a non-empty list")
        self.locations: tuple[Location, ...] = tuple(self._validate_entry(i, e) for i, e in enumerate(entries))
        self._subdivision_of = {e["slug"]: e.get("subdivision") for e in entries}
        self._by_slug = _unique_slugs(self.locations)
        add_unknown = (
            "add the entry {'slug': 'unknown', 'kind': 'unknown', 'city': null, 'country': null, 'region': 'unknown'}"
        )
        self.unknown = _present(self._by_slug.get(UNKNOWN_SLUG), add_unknown)
        _require(self.unknown.region == UNKNOWN_SLUG and self.unknown.country is None, add_unknown)
        kinds = {e["slug"]: e["kind"] for e in entries}
        self._country_entry = self._index(kinds, "country", lambda loc: loc.country)
        self._remote_by_country = self._index(kinds, "remote", lambda loc: loc.country)
        self._remote_by_region = self._index(kinds, "remote", lambda loc: None if loc.country else loc.region)
        _require(
            GLOBAL_REGION in self._remote_by_region,
            f"add a remote entry with region '{GLOBAL_REGION}' (e.g. 'remote-global')",
        )
        self._check_countries(kinds)
        subdivisions = _validate_subdivisions(raw.get("subdivisions", []), set(self._country_entry))
        self._check_city_subdivisions(subdivisions)
        self._claims = _claims(entries, self._by_slug)
        self._facts = self._build_facts(entries, subdivisions)
        self._max_name_tokens = max(len(key.split()) for key in self._facts)

    # --- validation -------------------------------------------------------------------

    def _validate_entry(self, index: int, entry: Any) -> Location:
        where = f"locations[{index}]"
        _require(isinstance(entry, dict), f"{where} must be an object")
        where = f"{where} ({entry.get('slug')!r})"
        unknown_keys = set(entry) - LOCATION_KEYS
        _require(not unknown_keys, f"{where} has unknown keys {sorted(unknown_keys)}; allowed: {sorted(LOCATION_KEYS)}")
        slug, kind, city, country, region = (entry.get(k) for k in ("slug", "kind", "city", "country", "region"))
        _require(
            isinstance(slug, str) and SLUG_PATTERN.match(slug) is not None,
            f"{where}: slug must be lowercase letters, digits and single hyphens, e.g. 'sao-paulo-br'",
        )
        _require(kind in KINDS, f"{where}: kind must be one of {', '.join(KINDS)}")
        _require(region in self.regions, f"{where}: region {region!r} is not in 'regions' {list(self.regions)}")
        _require(
            country is None or (isinstance(country, str) and COUNTRY_PATTERN.match(country) is not None),
            f"{where}: country must be an ISO 3166-1 alpha-2 code in capitals (e.g. 'GB') or null",
        )
        aliases = entry.get("aliases")
        _require(
            isinstance(aliases, list) and all(isinstance(a, str) for a in aliases),
            f"{where}: aliases must be a list of strings (may be empty)",
        )
        if kind == "city":
            _require(isinstance(city, str) and city.strip() != "", f"{where}: a city entry needs a city name")
            _require(country is not None, f"{where}: a city entry needs its country")
            _require(
                slug.endswith(f"-{country.lower()}"), f"{where}: a city slug ends with its country, e.g. 'london-gb'"
            )
            _require(
                _is_coordinate(entry.get("lat"), 90)
                and _is_coordinate(entry.get("lon"), 180)
                and (entry["lat"], entry["lon"]) != (0, 0),
                f"{where}: a city needs its coordinates in decimal degrees, 'lat' in [-90, 90] and 'lon' in "
                f'[-180, 180] (e.g. London: "lat": 51.5085, "lon": -0.1257), got '
                f"lat={entry.get('lat')!r}, lon={entry.get('lon')!r}",
            )
        else:
            _require(city is None, f"{where}: only kind 'city' has a city; use 'name' for the display name")
            _require(
                "lat" not in entry and "lon" not in entry,
                f"{where}: only cities have coordinates; a {kind} entry is not one point on the map",
            )
            _require(isinstance(entry.get("name"), str), f"{where}: kind {kind!r} needs a display 'name'")
        if kind == "country":
            _require(slug == f"country-{str(country).lower()}", f"{where}: a country entry's slug is 'country-<cc>'")
        if kind == "remote":
            expected = f"remote-{country.lower()}" if country else "remote-"
            _require(
                slug.startswith(expected) and (country is None or slug == expected),
                f"{where}: a remote slug is 'remote-<cc>' for one country, 'remote-<scope>' otherwise",
            )
        return Location(
            slug=slug, city=city, country=country, region=region, lat=entry.get("lat"), lon=entry.get("lon")
        )

    def _index(self, kinds: dict[str, str], kind: str, by: Callable[[Location], str | None]) -> dict[str, Location]:
        """Entries of one kind keyed by ``by`` (skipping None keys); two entries on one key is an error."""
        found: dict[str, Location] = {}
        for loc in self.locations:
            value = by(loc)
            if kinds[loc.slug] == kind and value is not None:
                _require(
                    value not in found, f"{value} has two {kind} entries: {found.get(value, loc).slug}, {loc.slug}"
                )
                found[value] = loc
        return found

    def _check_countries(self, kinds: dict[str, str]) -> None:
        for loc in self.locations:
            if loc.country is None:
                continue
            country = _present(
                self._country_entry.get(loc.country),
                f"{loc.slug}: add a country entry 'country-{loc.country.lower()}' "
                "so text naming only the country resolves",
            )
            _require(
                loc.region == country.region,
                f"{loc.slug}: region {loc.region} differs from {country.slug}'s {country.region}; "
                "one country, one region",
            )
        for region in {c.region for c in self._country_entry.values()}:
            _require(
                region in self._remote_by_region,
                f"add a remote entry for region {region!r} (country null): "
                "remote text naming such a country falls back to it",
            )

    def _check_city_subdivisions(self, subdivisions: dict[tuple[str, str], list[str]]) -> None:
        countries_with_subdivisions = {cc for cc, _ in subdivisions}
        for loc in self.locations:
            sub = self._subdivision_of[loc.slug]
            if sub is not None:
                _require(loc.city is not None, f"{loc.slug}: only city entries name a subdivision")
                _require(
                    (loc.country, sub) in subdivisions,
                    f"{loc.slug}: subdivision {sub!r} is not listed for {loc.country} in 'subdivisions'",
                )
            elif loc.city is not None:
                _require(
                    loc.country not in countries_with_subdivisions,
                    f"{loc.slug}: cities in {loc.country} name their subdivision, so 'City, ST' can be told apart",
                )

    # --- indexes ----------------------------------------------------------------------

    def _build_facts(
        self, entries: list[dict[str, Any]], subdivisions: dict[tuple[str, str], list[str]]
    ) -> dict[str, _Facts]:
        facts: dict[str, _Facts] = {}

        def at(name: str) -> _Facts:
            return facts.setdefault(match_key(name), _Facts())

        by_slug = self._by_slug
        for entry in entries:
            loc = by_slug[entry["slug"]]
            if entry["kind"] == "country":
                for name in [entry["name"], *entry["aliases"]]:
                    _append_new(at(name).country_names, loc.country)
        for (country, name), aliases in subdivisions.items():
            for text in [name, *aliases]:
                _append_new(at(text).subdivisions, (country, name))
        for country in self._country_entry:
            _append_new(at(country).iso_codes, country)
        city_names: dict[str, list[Location]] = {}
        for entry in entries:
            loc = by_slug[entry["slug"]]
            if entry["kind"] == "city":
                _append_new(city_names.setdefault(match_key(loc.city or ""), []), loc)
                for name in [loc.city, *entry["aliases"]]:
                    _append_new(at(name).cities, loc)
            elif entry["kind"] == "remote":
                for alias in entry["aliases"]:
                    at(alias).scope = loc
        for key, locs in city_names.items():
            if len(locs) > 1:
                claimant = self._claims.get(key)
                _require(
                    claimant in locs,
                    f"city name {locs[0].city!r} is shared by {', '.join(loc.slug for loc in locs)}: "
                    "add it to the aliases of the one a bare name should mean",
                )
        for key, claimant in self._claims.items():
            cities = facts[key].cities if key in facts else []
            if claimant in cities:
                cities.remove(claimant)
                cities.insert(0, claimant)
        return facts

    # --- the JVM's copy -------------------------------------------------------------------

    def compiled_tables(self) -> str:
        """Everything `normalise` decides with, as JSON, for the JVM resolver that runs the same algorithm in
        Spark (glue_or_emr_jobs/skill-matcher, io.talentpulse.locations); tests hold the two to the same slugs."""
        facts = {
            key: {
                "cities": [loc.slug for loc in f.cities],
                "countries": f.country_names,
                "subdivisions": [list(sub) for sub in f.subdivisions],
                "iso_codes": f.iso_codes,
                "scope": f.scope.slug if f.scope else None,
            }
            for key, f in self._facts.items()
        }
        return json.dumps(
            {
                "format": TABLES_FORMAT,
                "fold": {str(ord(ch)): folded for ch, folded in fold_table().items()},
                "char_classes": character_classes(),
                "break_chars": "".join(sorted(_BREAK_CHARS)),
                "dashes": "".join(sorted(_DASHES)),
                "min_scan_chars": _MIN_SCAN_CHARS,
                "max_name_tokens": self._max_name_tokens,
                "remote_phrases": sorted(map(list, _REMOTE_PHRASES)),
                "not_remote_phrases": sorted(map(list, _NOT_REMOTE_PHRASES)),
                "ignored_words": sorted(_IGNORED_WORDS),
                "codes_over_words": sorted(_CODES_OVER_WORDS),
                "locations": [
                    {
                        "slug": loc.slug,
                        "city": loc.city,
                        "country": loc.country,
                        "region": loc.region,
                        "subdivision": self._subdivision_of[loc.slug],
                    }
                    for loc in self.locations
                ],
                "unknown": self.unknown.slug,
                "global_region": GLOBAL_REGION,
                "claims": {key: loc.slug for key, loc in self._claims.items()},
                "facts": facts,
                "country_entry": {cc: loc.slug for cc, loc in self._country_entry.items()},
                "remote_by_country": {cc: loc.slug for cc, loc in self._remote_by_country.items()},
                "remote_by_region": {region: loc.slug for region, loc in self._remote_by_region.items()},
            },
            ensure_ascii=False,
        )

    # --- resolution -------------------------------------------------------------------

    def location(self, slug: str) -> Location:
        try:
            return self._by_slug[slug]
        except KeyError:
            raise KeyError(f"{slug!r} is not a gazetteer slug; see talent_pulse/data/locations.json") from None

    def normalise(self, text: str | None) -> Location:
        if not isinstance(text, str):
            return self.unknown
        folded = fold(text)
        key = " ".join(_words(folded))
        if not key:
            return self.unknown
        claimed = self._claims.get(key)
        if claimed is not None:
            return claimed
        mentions, remote = self._mentions(folded)
        return self._resolve(mentions, remote)

    def _mentions(self, folded: str) -> tuple[list[_Mention], bool]:
        mentions: list[_Mention] = []
        remote = False
        unrecognised = False
        for part in _parts(folded):
            tokens, part_remote = _without_remote_words(_words(part))
            remote = remote or part_remote
            if not tokens:
                continue
            whole = self._facts.get(" ".join(tokens))
            if whole is None:
                meaningful = [t for t in tokens if not _is_noise(t)]
                if len(tokens) > 1 and tokens[-1] in _CODES_OVER_WORDS:
                    meaningful.append(tokens[-1])
                if not meaningful:
                    continue
                whole = self._facts.get(" ".join(meaningful))
            if whole is not None:
                mentions.append(_Mention(whole, unrecognised))
                continue
            for i, found in _longest_matches(tokens, self._max_name_tokens, self._name_at):
                if found is None:
                    unrecognised = unrecognised or not _is_noise(tokens[i])
                else:
                    mentions.append(_Mention(found, unrecognised))
        return mentions, remote

    def _name_at(self, tokens: list[str], i: int, n: int) -> _Facts | None:
        key = " ".join(tokens[i : i + n])
        return self._facts.get(key) if len(key) >= _MIN_SCAN_CHARS else self._trailing_code(tokens, i, n)

    def _trailing_code(self, tokens: list[str], i: int, n: int) -> _Facts | None:
        """A short last word after a name is a state code: "Paris TX", "London ON" (never "in", "or")."""
        if n != 1 or i != len(tokens) - 1 or i == 0 or tokens[i] in _IGNORED_WORDS - _CODES_OVER_WORDS:
            return None
        facts = self._facts.get(tokens[i])
        return _Facts(subdivisions=facts.subdivisions) if facts is not None and facts.subdivisions else None

    def _resolve(self, mentions: list[_Mention], remote: bool) -> Location:
        # A name that is also a state or country ("New York") after an unknown word
        # ("Rochester, New York") names the state, not the city.
        city_mention = next(
            (m for m in mentions if m.names_another_city or (m.facts.cities and not m.facts.names_a_place)), None
        )
        context = [m for m in mentions if m is not city_mention and m.facts.names_a_place]
        if city_mention is not None:
            for city in city_mention.facts.cities:
                if all(self._agrees(city, m.facts) or m.names_another_city for m in context):
                    return city
        country = context[0].facts.country() if context else None
        # "Holland, MI", "Victoria, BC": a state named last makes the names before it towns of that state
        if len(context) > 1 and context[-1].facts.subdivisions and not context[-1].facts.country_names:
            country = context[-1].facts.subdivisions[0][0]
        if country is not None:
            if remote:
                return (
                    self._remote_by_country.get(country) or self._remote_by_region[self._country_entry[country].region]
                )
            return self._country_entry[country]
        scopes = [m.facts.scope for m in mentions if m.facts.scope is not None]
        specific = [s for s in scopes if s.region != GLOBAL_REGION]
        if specific or scopes:
            return (specific or scopes)[0]
        return self._remote_by_region[GLOBAL_REGION] if remote else self.unknown

    def _agrees(self, city: Location, facts: _Facts) -> bool:
        if city.country in facts.country_names or city.country in facts.iso_codes:
            return True
        sub = self._subdivision_of[city.slug]
        return any(cc == city.country and name == sub for cc, name in facts.subdivisions)


def _is_coordinate(value: Any, limit: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and -limit <= value <= limit


def _invalid(message: str) -> NoReturn:
    raise GazetteerError(f"talent_pulse/data/locations.json: {message}")


def _require(condition: bool, message: str) -> None:
    if not condition:
        _invalid(message)


def _present(value: _Found | None, message: str) -> _Found:
    """`value`, which the file must provide: `message` says what to add when it does not."""
    if value is None:
        _invalid(message)
    return value


def _validate_regions(regions: Any) -> tuple[str, ...]:
    _require(
        isinstance(regions, list) and all(isinstance(r, str) and SLUG_PATTERN.match(r) for r in regions),
        "'regions' must be a list of lowercase slugs",
    )
    _require(len(set(regions)) == len(regions), "'regions' lists a region twice")
    _require(
        UNKNOWN_SLUG in regions and GLOBAL_REGION in regions,
        f"'regions' must include '{UNKNOWN_SLUG}' and '{GLOBAL_REGION}'",
    )
    return tuple(regions)


def _unique_slugs(locations: tuple[Location, ...]) -> dict[str, Location]:
    by_slug: dict[str, Location] = {}
    for loc in locations:
        _require(
            loc.slug not in by_slug, f"slug {loc.slug!r} is used twice; slugs are partition values and must be unique"
        )
        by_slug[loc.slug] = loc
    return by_slug


def _validate_subdivisions(raw: Any, countries: set[str]) -> dict[tuple[str, str], list[str]]:
    _require(isinstance(raw, list), "'subdivisions' must be a list")
    found: dict[tuple[str, str], list[str]] = {}
    for index, entry in enumerate(raw):
        where = f"subdivisions[{index}]"
        _require(
            isinstance(entry, dict) and set(entry) == SUBDIVISION_KEYS,
            f"{where} needs exactly {sorted(SUBDIVISION_KEYS)}",
        )
        country, name, aliases = entry["country"], entry["name"], entry["aliases"]
        _require(country in countries, f"{where}: country {country!r} has no country entry in 'locations'")
        _require(isinstance(name, str) and name.strip() != "", f"{where}: name must be a non-empty string")
        _require(
            isinstance(aliases, list) and all(isinstance(a, str) and match_key(a) for a in aliases),
            f"{where}: aliases must be a list of non-empty strings",
        )
        _require((country, name) not in found, f"{where}: {country} {name!r} is listed twice")
        found[(country, name)] = aliases
    return found


def _claims(entries: list[dict[str, Any]], by_slug: dict[str, Location]) -> dict[str, Location]:
    claims: dict[str, Location] = {}
    for entry in entries:
        for alias in entry["aliases"]:
            key = match_key(alias)
            _require(key != "", f"{entry['slug']}: alias {alias!r} has no letters or digits")
            owner = claims.get(key)
            if owner is not None:
                _require(
                    owner.slug != entry["slug"],
                    f"{entry['slug']}: alias {alias!r} is listed twice "
                    "(aliases compare without case, accents, punctuation)",
                )
                _invalid(f"alias {alias!r} is claimed by {owner.slug} and {entry['slug']}; keep it on one of them")
            claims[key] = by_slug[entry["slug"]]
    return claims


def _is_noise(word: str) -> bool:
    return word in _IGNORED_WORDS or any(ch.isdigit() for ch in word)


def _longest_matches(
    tokens: list[str], longest: int, lookup: Callable[[list[str], int, int], _Found | None]
) -> Iterator[tuple[int, _Found | None]]:
    """Left to right, the longest run of at most `longest` tokens that `lookup(tokens, start, length)` finds:
    (start, found) for each run found, (i, None) for each token that starts none; runs do not overlap."""
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            found = lookup(tokens, i, n)
            if found is not None:
                yield i, found
                i += n
                break
        else:
            yield i, None
            i += 1


def _remote_phrase_at(tokens: list[str], i: int, n: int) -> bool | None:
    """True for a remote phrase, False for a negated one ("no remote"), None for neither."""
    phrase = tuple(tokens[i : i + n])
    if phrase in _REMOTE_PHRASES:
        return True
    return False if phrase in _NOT_REMOTE_PHRASES else None


def _without_remote_words(tokens: list[str]) -> tuple[list[str], bool]:
    kept: list[str] = []
    remote = False
    for i, found in _longest_matches(tokens, _MAX_REMOTE_PHRASE, _remote_phrase_at):
        if found is None:
            kept.append(tokens[i])
        else:
            remote = remote or found
    return kept, remote


@cache
def load_gazetteer() -> Gazetteer:
    text = resources.files("talent_pulse").joinpath("data/locations.json").read_text("utf-8")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GazetteerError(f"talent_pulse/data/locations.json is not valid JSON: {exc}") from None
    return Gazetteer(raw)


@lru_cache(maxsize=NORMALISE_CACHE_SIZE)
def _normalise_text(text: str) -> Location:
    return load_gazetteer().normalise(text)


def normalise_location(text: str | None) -> Location:
    """Free-text location → canonical ``Location``; ``unknown`` for None, NaN, empty or unrecognised text."""
    if not isinstance(text, str):
        return load_gazetteer().unknown
    return _normalise_text(text)


def normalise_many(texts: Iterable[str | None]) -> list[Location]:
    """``normalise_location`` over a batch (a pandas UDF's column); repeated strings hit the cache."""
    return [normalise_location(text) for text in texts]


def location_slugs() -> list[str]:
    """Every slug, sorted: the partition values Athena's projection enum must list (includes ``unknown``)."""
    return sorted(loc.slug for loc in load_gazetteer().locations)


def regions() -> list[str]:
    return list(load_gazetteer().regions)
