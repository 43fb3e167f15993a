"""Synthetic job postings that look like what scrapers collect, with their ground truth.

Each posting follows contract v1. Its title depends on a role family and seniority, its
location is a raw spelling of a gazetteer entry (drawn with regional weights), and its
description is written around skills drawn from the taxonomy with role- and
region-specific mixes. Skill popularity drifts with the event time (a slow trend plus an
hourly wave) so live trend lines move. The same seed and the same event times give the
same postings.

Ground truth (the skills put into the text and the gazetteer slug of the location) rides
beside the event and never enters the Kafka payload.
"""

from __future__ import annotations

import json
import math
import random
import re
import uuid
from bisect import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from typing import Any, TypeVar

import yaml

from talent_pulse.contract import SCHEMA_VERSION
from talent_pulse.gazetteer import Gazetteer, load_gazetteer, normalise_location
from talent_pulse.skills import Skill, Taxonomy, load_taxonomy

T = TypeVar("T")
DRIFT_REFERENCE = datetime(2025, 1, 1, tzinfo=UTC)
WEIGHT_BUCKET_S = 60  # skill weights are recomputed once per minute of event time
TREND_PERIOD_DAYS = 2.0  # rising skills climb for a day, then ease back for a day (and falling ones the reverse)


def _data(name: str) -> Any:
    return yaml.safe_load(resources.files("talent_pulse").joinpath(f"data/{name}").read_text("utf-8"))


@dataclass(frozen=True)
class RoleFamily:
    name: str
    weight: float  # share of postings (before regional boosts)
    titles: tuple[str, ...]  # "{skill}" is replaced by the posting's first core skill
    core: tuple[str, ...]  # skills most postings of the family ask for (canonical taxonomy names)
    categories: tuple[str, ...]  # taxonomy categories the rest of the mix comes from
    salary_factor: float


@dataclass(frozen=True)
class Market:
    """talent_pulse/data/market.yaml with every skill name resolved to its canonical taxonomy name."""

    source: dict[str, Any]
    survey_entries: tuple[tuple[str, float, tuple[str, ...]], ...]  # (entry, share %, taxonomy skills)
    shares: dict[str, float]  # canonical skill -> survey share %, the base weight
    default_share: float
    core_boost: float
    outside_boost: float
    families: tuple[RoleFamily, ...]
    region_weights: dict[str, float]
    region_family_boost: dict[str, dict[str, float]]
    region_skill_boost: dict[str, dict[str, float]]
    trend_direction: dict[str, int]  # +1 rising, -1 falling
    trend_factor_per_day: float
    wave_amplitude: float
    wave_period_s: float
    max_daily_growth: float
    sources: dict[str, float]
    seniority: tuple[tuple[str, tuple[str, ...], float, float], ...]  # level, title prefixes, weight, pay factor
    salaries: dict[str, Any]

    def trend_multiplier(self, skill: str, days: float) -> float:
        """Bounded: a triangle wave between 1 and trend_factor_per_day (rising) or its inverse (falling)."""
        direction = self.trend_direction.get(skill, 0)
        if not direction:
            return 1.0
        phase = (days / TREND_PERIOD_DAYS) % 1.0
        height = 1.0 - abs(2.0 * phase - 1.0)  # 0 -> 1 over a day, back to 0 over the next
        return float(self.trend_factor_per_day ** (direction * height))

    def wave_multiplier(self, seconds: float, phase: float) -> float:
        return math.exp(self.wave_amplitude * math.sin(2 * math.pi * seconds / self.wave_period_s + phase))


@lru_cache(maxsize=1)
def load_market() -> Market:
    return _market(_data("market.yaml"), load_taxonomy().skills)


def _market(raw: dict[str, Any], skill_list: Iterable[Skill]) -> Market:
    skills = tuple(skill_list)
    by_lower = _lookup_by_spelling(skills)
    categories = {skill.category for skill in skills}
    unknown: list[str] = []

    def canonical(name: str) -> str:
        if name.lower() not in by_lower:
            unknown.append(name)
            return name
        return by_lower[name.lower()]

    entries = tuple(
        (e["entry"], float(e["share"]), tuple(canonical(n) for n in e.get("skills", [e["entry"]])))
        for e in raw["survey_languages"]
    )
    # An entry that stands for several skills ("HTML/CSS") shares its weight between them. Drawn
    # independently, n skills at share / n**0.75 each appear (one or more) about as often as the entry.
    shares = {name: share / len(names) ** 0.75 for _, share, names in entries for name in names}
    shares.update({canonical(name): float(share) for name, share in raw["other_shares"].items()})
    families = tuple(
        RoleFamily(
            f["name"],
            float(f["weight"]),
            tuple(f["titles"]),
            tuple(dict.fromkeys(canonical(n) for n in f["core"])),
            tuple(f["categories"]),
            float(f["salary_factor"]),
        )
        for f in raw["role_families"]
    )
    unknown += [c for family in families for c in family.categories if c not in categories]
    market = Market(
        source=raw["source"],
        survey_entries=entries,
        shares=shares,
        default_share=float(raw["default_share"]),
        core_boost=float(raw["core_boost"]),
        outside_boost=float(raw["outside_boost"]),
        families=families,
        region_weights={k: float(v) for k, v in raw["region_weights"].items()},
        region_family_boost=raw["region_family_boost"],
        region_skill_boost={
            region: {canonical(n): float(b) for n, b in boosts.items()}
            for region, boosts in raw["region_skill_boost"].items()
        },
        trend_direction={**{canonical(n): 1 for n in raw["rising"]}, **{canonical(n): -1 for n in raw["falling"]}},
        trend_factor_per_day=float(raw["trend_factor_per_day"]),
        wave_amplitude=float(raw["wave_amplitude"]),
        wave_period_s=float(raw["wave_period_s"]),
        max_daily_growth=float(raw["max_daily_growth"]),
        sources={k: float(v) for k, v in raw["sources"].items()},
        seniority=tuple((level, tuple(prefixes), float(w), float(f)) for level, prefixes, w, f in raw["seniority"]),
        salaries=raw["salaries"],
    )
    if unknown:
        raise ValueError(
            f"talent_pulse/data/market.yaml names skills or categories the taxonomy lacks: "
            f"{', '.join(sorted(set(unknown)))}; use names from `pulse skills list`"
        )
    return market


@lru_cache(maxsize=1)
def _text() -> dict[str, Any]:
    text: dict[str, Any] = _data("posting_text.yaml")
    return text


@dataclass(frozen=True)
class Posting:
    """A contract v1 event plus the ground truth the generator put into it."""

    event: dict[str, Any]
    skills: tuple[str, ...] | None  # None: not known (e.g. a replayed posting without labels)
    location_slug: str
    title_skills: tuple[str, ...] | None = ()  # the part of ``skills`` named in the title

    def truth(self, description_removed: bool = False) -> dict[str, Any]:
        """Ground truth line; without the description only the title's skills remain."""
        chosen = self.title_skills if description_removed else self.skills
        return {
            "event_id": self.event["event_id"],
            "skills": None if chosen is None else list(chosen),
            "location_slug": self.location_slug,
        }


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a ``Z``, as scrapers stamp events."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class _Place:
    slug: str
    region: str
    country: str | None
    city: str | None
    spellings: tuple[str, ...]  # raw texts that the gazetteer maps back to ``slug``


@dataclass(frozen=True)
class _WeightedChoice:
    items: tuple[Any, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weighted: Iterable[tuple[Any, float]]) -> _WeightedChoice:
        pairs = [(item, w) for item, w in weighted if w > 0]
        return cls(tuple(p[0] for p in pairs), tuple(accumulate(p[1] for p in pairs)))

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


class PostingGenerator:
    """Deterministic under ``seed``: the n-th call with the same event time gives the same posting."""

    def __init__(self, seed: int = 0, taxonomy: Taxonomy | None = None, gazetteer: Gazetteer | None = None):
        self.rng = random.Random(seed)
        skills = (taxonomy or load_taxonomy()).skills
        self.market = market = load_market() if taxonomy is None else _market(_data("market.yaml"), skills)
        self.text = text = _text()
        self._skills = {skill.name: skill for skill in skills}
        by_lower = _lookup_by_spelling(skills)
        self._spellings = {skill.name: _spellings(skill, by_lower) for skill in skills}
        phase_rng = random.Random(f"phases-{seed}")
        self._phase = {name: phase_rng.uniform(0, 2 * math.pi) for name in self._skills}
        self._places = _places(gazetteer or load_gazetteer(), text["remote_suffixes"])
        self._place_choice = {
            region: _WeightedChoice.of((p, w) for p, w in places)
            for region, places in _places_by_region(self._places).items()
        }
        self._region_choice = _WeightedChoice.of(
            (r, w) for r, w in market.region_weights.items() if r in self._place_choice
        )
        self._family_choice = {
            region: _WeightedChoice.of(
                (f, f.weight * market.region_family_boost.get(region, {}).get(f.name, 1.0)) for f in market.families
            )
            for region in self._place_choice
        }
        self._title_skills = {
            t: _named_skills(t.replace("{skill}", ""), skills) for family in market.families for t in family.titles
        }
        self._mix_cache: dict[tuple[str, str, int], _WeightedChoice] = {}
        self._companies = [
            (f"{prefix} {kind}", industry)
            for prefix in text["company_prefixes"]
            for kind, industry in text["company_kinds"].items()
        ]
        self._seniority = _WeightedChoice.of((level, level[2]) for level in market.seniority)
        self._source = _WeightedChoice.of(market.sources.items())

    def generate(self, event_time: datetime) -> Posting:
        rng = self.rng
        region = self._region_choice.pick(rng)
        place: _Place = self._place_choice[region].pick(rng)
        family: RoleFamily = self._family_choice[region].pick(rng)
        level, prefixes, _, salary_factor = self._seniority.pick(rng)
        skills = self._pick_skills(family, region, event_time)
        title, title_skills = _title(rng, family, prefixes, [s for s in skills if s in family.core], self._title_skills)
        skills += [s for s in title_skills if s not in skills]
        company, industry = _one(rng, self._companies)
        company += _one(rng, self.text["legal_suffixes"].get(region, ("",)))
        location = _one(rng, place.spellings)
        remote = (
            True
            if place.slug.startswith("remote") or place.region == "global"
            else _one(rng, (None, None, False, True))
        )
        source = self._source.pick(rng)
        event = {
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "event_time": iso_utc(event_time),
            "source": source,
            "job_id": f"{source[:2].upper()}-{rng.randrange(10**9):09d}",
            "title": title,
            "company": company,
            "location": location,
            "description": self._describe(rng, title, company, industry, place, skills),
            "remote": remote,
            "seniority": level if rng.random() < 0.7 else None,
            "schema_version": SCHEMA_VERSION,
        }
        pay = self.market.salaries
        if rng.random() < pay["stated_share"].get(region, pay["default_stated_share"]):
            event.update(_salary(rng, pay, place, region, family.salary_factor * salary_factor))
        return Posting(event, tuple(sorted(skills)), place.slug, title_skills)

    def _pick_skills(self, family: RoleFamily, region: str, event_time: datetime) -> list[str]:
        rng = self.rng
        wanted = _one(rng, (2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 10))
        mix = self._mix(family, region, event_time)
        picked: list[str] = []
        for _ in range(wanted * 3):
            name = mix.pick(rng)
            if name not in picked:
                picked.append(name)
                if len(picked) == wanted:
                    break
        return picked

    def _mix(self, family: RoleFamily, region: str, event_time: datetime) -> _WeightedChoice:
        bucket = int((event_time - DRIFT_REFERENCE).total_seconds() // WEIGHT_BUCKET_S)
        key = (family.name, region, bucket)
        mix = self._mix_cache.get(key)
        if mix is None:
            if len(self._mix_cache) > 4096:
                self._mix_cache.clear()
            mix = _WeightedChoice.of(
                (name, self.skill_weight(name, family, region, bucket * WEIGHT_BUCKET_S)) for name in self._skills
            )
            self._mix_cache[key] = mix
        return mix

    def skill_weight(self, name: str, family: RoleFamily, region: str, seconds: float) -> float:
        """How strongly a posting of this family and region asks for the skill, ``seconds`` after the reference:
        its survey share, the family's affinity, the region's boost, the bounded trend and the hourly wave."""
        market, skill = self.market, self._skills[name]
        if name in family.core:
            affinity = market.core_boost
        else:
            affinity = 1.0 if skill.category in family.categories else market.outside_boost
        return (
            market.shares.get(name, market.default_share)
            * affinity
            * market.region_skill_boost.get(region, {}).get(name, 1.0)
            * market.trend_multiplier(name, seconds / 86400)
            * market.wave_multiplier(seconds, self._phase[name])
        )

    def _describe(
        self, rng: random.Random, title: str, company: str, industry: str, place: _Place, skills: list[str]
    ) -> str:
        spellings = [self._spelling(rng, name) for name in skills]
        text = self.text
        fill = {
            "company": company,
            "title": title,
            "city": place.city or place.spellings[0],
            "industry": industry,
            "team": _one(rng, text["teams"]),
            "year": rng.randrange(1995, 2024),
            "offices": rng.randrange(2, 12),
            "size": _one(rng, (40, 120, 800, 5000)),
            "series": _one(rng, "ABCD"),
        }
        style = rng.random()
        parts = [_one(rng, text["intros"]).format(**fill)]
        if style > 0.25:
            parts += [s.format(**fill) for s in rng.sample(text["company_blurbs"], rng.randrange(1, 4))]
            parts += rng.sample(text["responsibilities"], rng.randrange(2, 7))
        parts += _skill_sentences(rng, spellings, text["skill_sentences"])
        if style > 0.6:
            parts.append("What we offer:")
            parts += ["- " + b for b in rng.sample(text["benefits"], rng.randrange(2, 6))]
            parts += rng.sample(text["closings"], rng.randrange(1, 3))
            if rng.random() < 0.5:  # far from the skill sentences, so their context does not leak in
                parts.append(_one(rng, text["distractors"]))
        separator = "\n" if style > 0.8 else " "
        return separator.join(parts)

    def _spelling(self, rng: random.Random, name: str) -> str:
        canonical, others = self._spellings[name]
        return _one(rng, others) if others and rng.random() < 0.3 else canonical


def _one(rng: random.Random, options: Sequence[T]) -> T:
    """``rng.choice`` from one float draw: several times faster, equally deterministic."""
    return options[int(rng.random() * len(options))]


def _skill_sentences(rng: random.Random, spellings: list[str], templates: dict[int, list[str]]) -> list[str]:
    sentences, rest = [], list(spellings)
    while rest:
        n = min(len(rest), _one(rng, (1, 2, 3)))
        sentences.append(_one(rng, templates[n]).format(*rest[:n]))
        rest = rest[n:]
    rng.shuffle(sentences)
    return sentences


def _title(
    rng: random.Random,
    family: RoleFamily,
    prefixes: tuple[str, ...],
    core_skills: list[str],
    title_skills: dict[str, tuple[str, ...]],
) -> tuple[str, tuple[str, ...]]:
    """A title and the skills it names."""
    templates = [t for t in family.titles if "{skill}" not in t or core_skills]
    template = _one(rng, templates)
    named: tuple[str, ...] = (core_skills[0],) if "{skill}" in template else ()
    title = template.format(skill=named[0] if named else "")
    named += title_skills.get(template, ())
    prefix = _one(rng, prefixes)
    return (f"{prefix} {title}" if prefix else title), named


def _salary(rng: random.Random, pay: dict[str, Any], place: _Place, region: str, factor: float) -> dict[str, Any]:
    country = place.country or ""
    currency = "EUR" if country in pay["euro_countries"] else pay["country_currency"].get(country, "USD")
    usd_per_unit = pay["usd_per_unit"][currency]
    mid_usd = pay["base_usd"].get(region, pay["base_usd"]["unknown"]) * factor * rng.uniform(0.85, 1.2)
    step = 1000 if usd_per_unit > 0.1 else 100_000
    low = round(mid_usd * (1 - rng.uniform(0.08, 0.2)) / usd_per_unit / step) * step
    high = round(mid_usd * (1 + rng.uniform(0.08, 0.25)) / usd_per_unit / step) * step
    return {"salary_min": float(low), "salary_max": float(max(low, high)), "salary_currency": currency}


def _named_skills(text: str, skills: Iterable[Skill]) -> tuple[str, ...]:
    """Skills a title names outright (e.g. "Machine Learning Engineer"), by their unambiguous forms."""
    padded = f" {re.sub(r'[,;:()/|]', ' ', text).lower()} "
    return tuple(skill.name for skill in skills if any(f" {form.lower()} " in padded for form in skill.safe_forms))


def _spellings(skill: Skill, skill_forms: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """How postings write a skill: the usual spelling and the alternatives.

    Forms that count only with the skill's own context words ("Jenkins" near "pipelines")
    get one of those words attached; other ambiguous forms rely on the sentences' context.
    """
    if skill.own_context_only:
        context = max((word for word in skill.context if word not in skill_forms), key=len)
        forms = [f"{form} {context}" for form in skill.ambiguous] + list(skill.aliases)
    else:
        forms = [*skill.ambiguous, *skill.safe_forms]
    usual = skill.name if skill.name in forms or not skill.needs_context else forms[0]
    return usual, tuple(dict.fromkeys(f for f in forms if f != usual))


def _lookup_by_spelling(skills: Iterable[Skill]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for skill in skills:
        for spelling in (skill.name, *skill.aliases, *skill.ambiguous):
            lookup.setdefault(spelling.lower(), skill.name)
    return lookup


@lru_cache(maxsize=1)
def _raw_location_entries() -> dict[str, dict[str, Any]]:
    text = resources.files("talent_pulse").joinpath("data/locations.json").read_text("utf-8")
    return {entry["slug"]: entry for entry in json.loads(text)["locations"]}


def _places(gazetteer: Gazetteer, remote_suffixes: Iterable[str]) -> list[_Place]:
    """Gazetteer entries with the raw spellings scrapers use, kept only if they resolve back to the entry."""
    raw = _raw_location_entries()
    places = []
    for location in gazetteer.locations:
        entry = raw.get(location.slug, {})
        names = [n for n in (location.city, entry.get("name"), *entry.get("aliases", ())) if n]
        candidates = set(names)
        if location.city:
            candidates |= {f"{location.city}, {location.country}"} | {location.city + s for s in remote_suffixes}
        spellings = tuple(sorted(c for c in candidates if normalise_location(c).slug == location.slug))
        if spellings:
            places.append(_Place(location.slug, location.region, location.country, location.city, spellings))
    return places


def _places_by_region(places: list[_Place]) -> dict[str, list[tuple[_Place, float]]]:
    """Regional buckets, Zipf-weighted by file order (the data lists big hubs first)."""
    kind_weight = {"city": 1.0, "country": 0.12, "remote": 0.35, "unknown": 1.0}
    by_region: dict[str, list[tuple[_Place, float]]] = {}
    raw = _raw_location_entries()
    for place in places:
        bucket = by_region.setdefault(place.region, [])
        kind = raw.get(place.slug, {}).get("kind", "city")
        bucket.append((place, kind_weight.get(kind, 1.0) / (len(bucket) + 3) ** 0.8))
    return by_region
