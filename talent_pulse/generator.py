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
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from typing import Any, Iterable

from talent_pulse.contract import SCHEMA_VERSION
from talent_pulse.gazetteer import Gazetteer, load_gazetteer, normalise_location
from talent_pulse.skills import load_taxonomy

DRIFT_REFERENCE = datetime(2025, 1, 1, tzinfo=timezone.utc)
WAVE_PERIOD_S = 3600.0  # visible within a demo session
WAVE_AMPLITUDE = 0.45
WEIGHT_BUCKET_S = 60  # skill weights are recomputed once per minute of event time

SOURCES = (("linkedin", 30), ("indeed", 25), ("glassdoor", 10), ("greenhouse", 12), ("lever", 8),
           ("workday", 8), ("stepstone", 4), ("naukri", 3))

SENIORITY = (  # (contract level, title prefixes, weight, salary multiplier)
    ("intern", ("Intern", "Internship:"), 3, 0.3),
    ("junior", ("Junior", "Jr.", "Graduate"), 15, 0.65),
    ("mid", ("",), 35, 1.0),
    ("senior", ("Senior", "Sr."), 30, 1.35),
    ("lead", ("Lead", "Staff"), 10, 1.6),
    ("principal", ("Principal",), 4, 1.9),
    ("executive", ("Head of", "Director of", "VP of"), 3, 2.4),
)


@dataclass(frozen=True)
class RoleFamily:
    name: str
    titles: tuple[str, ...]  # "{skill}" is replaced by the posting's first core skill
    core: tuple[str, ...]  # skills most postings of the family ask for
    categories: tuple[str, ...]  # taxonomy categories the rest of the mix comes from
    salary_factor: float


ROLE_FAMILIES = (
    RoleFamily("backend", ("Backend Engineer", "Software Engineer, Backend", "{skill} Developer",
                           "Backend Developer ({skill})", "API Engineer"),
               ("Python", "Java", "Go", "Node.js", "PostgreSQL", "Kafka", "Docker", "Kubernetes", "Spring",
                "Django", "C#", ".NET", "Kotlin", "Redis", "REST", "gRPC"),
               ("language", "framework", "database", "cloud", "devops"), 1.0),
    RoleFamily("frontend", ("Frontend Engineer", "Front-End Developer", "{skill} Developer", "UI Engineer"),
               ("JavaScript", "TypeScript", "React", "Angular", "Vue.js", "HTML", "CSS", "Next.js", "Redux",
                "Webpack", "GraphQL", "Jest"),
               ("frontend", "framework", "language", "testing"), 0.95),
    RoleFamily("fullstack", ("Full Stack Engineer", "Full-Stack Developer ({skill})", "Software Engineer"),
               ("JavaScript", "TypeScript", "React", "Node.js", "Python", "PostgreSQL", "AWS", "Docker",
                "Ruby on Rails", "PHP", "Laravel", "MongoDB"),
               ("frontend", "framework", "database", "language", "cloud"), 1.0),
    RoleFamily("data-engineering", ("Data Engineer", "Big Data Engineer", "Analytics Engineer",
                                    "Data Platform Engineer", "{skill} Data Engineer"),
               ("Python", "SQL", "Spark", "Kafka", "Airflow", "dbt", "Snowflake", "Databricks", "Scala",
                "AWS", "BigQuery", "Flink", "Parquet", "Terraform"),
               ("data", "database", "cloud", "language"), 1.05),
    RoleFamily("data-science", ("Data Scientist", "Machine Learning Engineer", "ML Engineer",
                                "Applied Scientist", "AI Engineer"),
               ("Python", "SQL", "PyTorch", "TensorFlow", "scikit-learn", "pandas", "NumPy", "R", "Spark",
                "MLflow", "LLM", "Hugging Face", "Jupyter"),
               ("ml", "data", "language", "cloud"), 1.1),
    RoleFamily("devops", ("DevOps Engineer", "Site Reliability Engineer", "Platform Engineer",
                          "Cloud Engineer ({skill})", "Infrastructure Engineer"),
               ("Kubernetes", "Docker", "Terraform", "AWS", "Azure", "GCP", "Linux", "Ansible", "Prometheus",
                "Grafana", "Jenkins", "GitHub Actions", "Helm", "Bash"),
               ("devops", "cloud", "observability", "os"), 1.05),
    RoleFamily("mobile", ("Mobile Engineer", "{skill} Developer", "{skill} Engineer", "App Developer"),
               ("Swift", "Kotlin", "iOS", "Android", "React Native", "Flutter", "Dart", "Objective-C",
                "Java", "Firebase"),
               ("mobile", "language", "framework"), 0.95),
    RoleFamily("security", ("Security Engineer", "Application Security Engineer", "Cloud Security Engineer",
                            "Penetration Tester"),
               ("Linux", "AWS", "Python", "SIEM", "OWASP", "Splunk", "Kubernetes", "IAM", "Burp Suite",
                "Terraform"),
               ("security", "cloud", "os", "language"), 1.1),
    RoleFamily("embedded", ("Embedded Software Engineer", "Firmware Engineer", "{skill} Engineer (Embedded)"),
               ("C", "C++", "Rust", "Linux", "RTOS", "Python", "ARM", "CAN"),
               ("embedded", "language", "os"), 0.95),
    RoleFamily("qa", ("QA Engineer", "Test Automation Engineer", "SDET"),
               ("Selenium", "Cypress", "Playwright", "Python", "Java", "JavaScript", "Jenkins", "Postman",
                "JUnit", "pytest"),
               ("testing", "language", "devops"), 0.85),
)

# Regions differ in which roles are hired and which skills are asked for.
REGION_WEIGHTS = {"north-america": 36, "europe": 30, "asia-pacific": 20, "latin-america": 6,
                  "middle-east": 3, "africa": 2.5, "global": 2, "unknown": 0.5}
REGION_FAMILY_BOOST = {
    "north-america": {"data-science": 1.4, "security": 1.3, "fullstack": 1.2},
    "europe": {"backend": 1.3, "data-engineering": 1.2, "embedded": 1.4},
    "asia-pacific": {"backend": 1.3, "mobile": 1.6, "qa": 1.5},
    "latin-america": {"fullstack": 1.5, "frontend": 1.4, "qa": 1.2},
    "middle-east": {"devops": 1.3, "security": 1.4},
    "africa": {"fullstack": 1.4, "mobile": 1.3},
}
REGION_SKILL_BOOST = {
    "north-america": {"AWS": 1.6, "TypeScript": 1.3, "Snowflake": 1.5, "React": 1.2, "Go": 1.3},
    "europe": {"Java": 1.4, "Kotlin": 1.5, "Scala": 1.5, "Azure": 1.4, "SAP": 3.0, "C#": 1.3},
    "asia-pacific": {"Java": 1.6, "Spring": 1.6, "Android": 1.5, "Alibaba Cloud": 3.0, "Flutter": 1.4},
    "latin-america": {"PHP": 3.0, "Laravel": 2.5, "JavaScript": 1.4, "React Native": 1.4},
    "middle-east": {"Azure": 1.5, ".NET": 1.6, "C#": 1.5},
    "africa": {"PHP": 1.5, "Flutter": 1.6, "Django": 1.4},
}
# Slow trends in log-weight per day of event time (rising and falling technologies).
SKILL_TRENDS = {"Rust": 0.004, "LLM": 0.006, "Hugging Face": 0.004, "dbt": 0.003, "Go": 0.002, "Flink": 0.003,
                "Playwright": 0.004, "Databricks": 0.003, "jQuery": -0.004, "AngularJS": -0.005, "Perl": -0.004,
                "Hadoop": -0.004, "Objective-C": -0.003, "Jenkins": -0.002}

COMPANY_PREFIXES = ("North", "Blue", "Bright", "Quant", "Hyper", "Cloud", "Pixel", "Iron", "Silver", "Green",
                    "Nova", "Terra", "Vertex", "Atlas", "Lumen", "Orbit", "Kite", "Maple", "Cobalt", "Harbor")
COMPANY_KINDS = (("Labs", "software"), ("Systems", "enterprise software"), ("Analytics", "data analytics"),
                 ("Health", "healthcare"), ("Bank", "banking"), ("Logistics", "logistics"),
                 ("Robotics", "robotics"), ("Media", "media"), ("Energy", "energy"), ("Games", "gaming"),
                 ("Pay", "payments"), ("Retail", "e-commerce"), ("Insurance", "insurance"),
                 ("Mobility", "mobility"))
LEGAL_SUFFIX = {"north-america": ("", " Inc.", " LLC"), "europe": ("", " GmbH", " Ltd", " B.V.", " AB"),
                "asia-pacific": ("", " Pte. Ltd.", " Pvt Ltd", " K.K."), "latin-america": ("", " S.A.", " Ltda.")}

USD_PER_UNIT = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CHF": 1.12, "CAD": 0.73, "AUD": 0.66, "INR": 0.012,
                "JPY": 0.0067, "SGD": 0.74, "BRL": 0.2, "MXN": 0.058, "PLN": 0.25, "SEK": 0.095}
COUNTRY_CURRENCY = {"US": "USD", "GB": "GBP", "CH": "CHF", "CA": "CAD", "AU": "AUD", "IN": "INR", "JP": "JPY",
                    "SG": "SGD", "BR": "BRL", "MX": "MXN", "PL": "PLN", "SE": "SEK",
                    **{cc: "EUR" for cc in ("DE", "FR", "NL", "ES", "IT", "IE", "AT", "BE", "PT", "FI", "GR",
                                             "EE", "LV", "LT", "SK", "SI", "LU", "HR")}}
REGION_BASE_SALARY_USD = {"north-america": 125_000, "europe": 72_000, "asia-pacific": 48_000,
                          "latin-america": 36_000, "middle-east": 65_000, "africa": 30_000, "global": 95_000,
                          "unknown": 70_000}
SALARY_SHARE = {"north-america": 0.6, "europe": 0.35}  # pay-transparency laws; elsewhere 0.2

# Sentences that mention skills. "{}" slots are filled with skill spellings.
# Sentences that mention skills; "{}" slots take skill spellings. Each has a technical context
# word (code, stack, software, ...) near its slots, as real postings do, so ambiguous names
# ("Go", "R", "Spark") read as skills.
SKILL_SENTENCES = {
    1: ("You have hands-on experience with {} in production code.", "Strong knowledge of the {} stack is required.",
        "Experience with {} development tooling is a plus.", "You will design, build and operate software using {}.",
        "Bonus points if you have shipped production code with {}.", "Familiarity with {} libraries is nice to have.",
        "{} programming experience in a production environment."),
    2: ("Solid experience with {} and {} as a developer.", "You know your way around {} and {} codebases.",
        "Our stack runs on {} and {}.", "As an engineer you will work daily with {} and {}."),
    3: ("Tech stack: {}, {}, {} (all in one repository).", "Our engineers use {}, {} and {} every day.",
        "Must have: {}, {} and {} on the stack.", "Nice to have in our stack: {}, {} or {}."),
}
INTROS = ("{company} is hiring a {title} in {city}.",
          "Join {company} as our next {title}!",
          "About the role: we are looking for a {title} to join the {team} team at {company}.",
          "{company}, a fast-growing {industry} company, is looking for a {title}.",
          "Are you a {title} who wants to make an impact? {company} wants to hear from you.",
          "Position: {title}. Company: {company}. Location: {city}.")
COMPANY_BLURBS = ("We build {industry} products used by millions of people every day.",
                  "Founded in {year}, we have grown to more than {size} employees across {offices} offices.",
                  "Our mission is to make {industry} simpler, faster and fairer for everyone.",
                  "We are backed by leading investors and recently closed our Series {series} round.",
                  "We are a remote-friendly team that values ownership, curiosity and kindness.")
RESPONSIBILITIES = ("Own features end to end, from design documents to monitoring in production.",
                    "Collaborate with product managers and designers to ship small increments often.",
                    "Review code, mentor colleagues and raise the bar for engineering quality.",
                    "Improve the reliability, latency and cost of the systems you own.",
                    "Take part in an on-call rotation with a healthy, well-documented runbook.",
                    "Work with stakeholders across the business to turn questions into data products.",
                    "Write clear design documents and keep them up to date as the system evolves.",
                    "Help us hire: take part in interviews and onboard new team members.",
                    "Measure what matters: define service level objectives and track them with the team.",
                    "Break down large projects into milestones that deliver value every few weeks.")
CLOSINGS = ("We are an equal opportunity employer and value diversity at our company. We do not discriminate on the "
            "basis of race, religion, color, national origin, gender, sexual orientation, age, marital status, "
            "veteran status, or disability status.",
            "Please apply with your CV in English. We review every application and reply within two weeks; the "
            "process has a short intro call, a practical exercise we pay for, and a conversation with the team.",
            "Relocation support and visa sponsorship are available for this position.")
# Phrases that contain words a naive matcher mistakes for skills; never part of the truth.
DISTRACTORS = ("You react to customer feedback quickly and help shape our go-to-market plans.",
               "You spark curiosity in others and build on a swift, friendly hiring process.",
               "Our C-level sponsors meet the team every spring.",
               "You go the extra mile and rust never sleeps on our legacy systems.",
               "We are proud of our R&D culture and our go-getters.",
               "Strong communication skills and a rich, go-to attitude to problem solving.")
BENEFITS = ("Competitive salary, equity and an annual learning budget.", "Flexible hours and 30 days of paid leave.",
            "Private health insurance for you and your family.", "A yearly hardware budget and a home-office allowance.",
            "Parental leave well above the legal minimum.", "Team offsites twice a year.")
TEAMS = ("Platform", "Payments", "Growth", "Search", "Core", "Data", "Infrastructure", "Mobile", "Risk", "Identity")
REMOTE_SUFFIXES = (" (Remote)", " - Remote", " (Hybrid)", " - Hybrid", "")


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
        return {"event_id": self.event["event_id"], "skills": None if chosen is None else list(chosen),
                "location_slug": self.location_slug}


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a ``Z``, as scrapers stamp events."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class _Place:
    slug: str
    region: str
    country: str | None
    city: str | None
    spellings: tuple[str, ...]  # raw texts that the gazetteer maps back to ``slug``


@dataclass(frozen=True)
class _WeightedChoice:
    items: tuple
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weighted: Iterable[tuple[Any, float]]) -> "_WeightedChoice":
        pairs = [(item, w) for item, w in weighted if w > 0]
        return cls(tuple(p[0] for p in pairs), tuple(accumulate(p[1] for p in pairs)))

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


class PostingGenerator:
    """Deterministic under ``seed``: the n-th call with the same event time gives the same posting."""

    def __init__(self, seed: int = 0, taxonomy=None, gazetteer: Gazetteer | None = None):
        self.rng = random.Random(seed)
        skills = (taxonomy or load_taxonomy()).skills
        self._skills = {skill.name: skill for skill in skills}
        by_lower = _lookup_by_spelling(skills)
        self._spellings = {skill.name: _spellings(skill, by_lower) for skill in skills}
        self._region_boost = {region: {by_lower[n.lower()]: b for n, b in boosts.items() if n.lower() in by_lower}
                              for region, boosts in REGION_SKILL_BOOST.items()}
        self._trend = {by_lower[n.lower()]: t for n, t in SKILL_TRENDS.items() if n.lower() in by_lower}
        phase_rng = random.Random(f"phases-{seed}")
        self._phase = {name: phase_rng.uniform(0, 2 * math.pi) for name in self._skills}
        self._families = tuple(_resolve_family(family, by_lower) for family in ROLE_FAMILIES)
        self._places = _places(gazetteer or load_gazetteer())
        self._place_choice = {region: _WeightedChoice.of((p, w) for p, w in places)
                              for region, places in _places_by_region(self._places).items()}
        self._region_choice = _WeightedChoice.of((r, w) for r, w in REGION_WEIGHTS.items() if r in self._place_choice)
        self._family_choice = {region: _WeightedChoice.of(
            (f, REGION_FAMILY_BOOST.get(region, {}).get(f[0].name, 1.0)) for f in self._families)
            for region in self._place_choice}
        self._title_skills = {t: _named_skills(t.replace("{skill}", ""), skills)
                              for family in ROLE_FAMILIES for t in family.titles}
        self._mix_cache: dict[tuple[str, str, int], _WeightedChoice] = {}
        self._companies = [(f"{prefix} {kind}", industry) for prefix in COMPANY_PREFIXES
                           for kind, industry in COMPANY_KINDS]

    def generate(self, event_time: datetime) -> Posting:
        rng = self.rng
        region = self._region_choice.pick(rng)
        place: _Place = self._place_choice[region].pick(rng)
        family, core = self._family_choice[region].pick(rng)
        level, prefixes, _, salary_factor = SENIORITY[_SENIORITY_CHOICE.pick(rng)]
        skills = self._pick_skills(family, core, region, event_time)
        title, title_skills = _title(rng, family, prefixes, [s for s in skills if s in core], self._title_skills)
        skills += [s for s in title_skills if s not in skills]
        company, industry = _one(rng, self._companies)
        company += _one(rng, LEGAL_SUFFIX.get(region, ("",)))
        location = _one(rng, place.spellings)
        remote = True if place.slug.startswith("remote") or place.region == "global" else _one(
            rng, (None, None, False, True))
        source = _SOURCE_CHOICE.pick(rng)
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
        if rng.random() < SALARY_SHARE.get(region, 0.2):
            event.update(_salary(rng, place, region, family.salary_factor * salary_factor))
        return Posting(event, tuple(sorted(skills)), place.slug, title_skills)

    def _pick_skills(self, family: RoleFamily, core: tuple[str, ...], region: str,
                     event_time: datetime) -> list[str]:
        rng = self.rng
        wanted = _one(rng, (2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 10))
        mix = self._mix(family, core, region, event_time)
        picked: list[str] = []
        for _ in range(wanted * 3):
            name = mix.pick(rng)
            if name not in picked:
                picked.append(name)
                if len(picked) == wanted:
                    break
        return picked

    def _mix(self, family: RoleFamily, core: tuple[str, ...], region: str, event_time: datetime) -> _WeightedChoice:
        seconds = (event_time - DRIFT_REFERENCE).total_seconds()
        key = (family.name, region, int(seconds // WEIGHT_BUCKET_S))
        mix = self._mix_cache.get(key)
        if mix is None:
            if len(self._mix_cache) > 4096:
                self._mix_cache.clear()
            boosts = self._region_boost.get(region, {})
            days, wave = seconds / 86400, 2 * math.pi * seconds / WAVE_PERIOD_S
            mix = _WeightedChoice.of(
                (name, _base_weight(skill, family, core) * boosts.get(name, 1.0)
                 * math.exp(self._trend.get(name, 0.0) * days + WAVE_AMPLITUDE * math.sin(wave + self._phase[name])))
                for name, skill in self._skills.items())
            self._mix_cache[key] = mix
        return mix

    def _describe(self, rng: random.Random, title: str, company: str, industry: str, place: _Place,
                  skills: list[str]) -> str:
        spellings = [self._spelling(rng, name) for name in skills]
        fill = {"company": company, "title": title, "city": place.city or place.spellings[0], "industry": industry,
                "team": _one(rng, TEAMS), "year": rng.randrange(1995, 2024), "offices": rng.randrange(2, 12),
                "size": _one(rng, (40, 120, 800, 5000)), "series": _one(rng, "ABCD")}
        style = rng.random()
        parts = [_one(rng, INTROS).format(**fill)]
        if style > 0.25:
            parts += [s.format(**fill) for s in rng.sample(COMPANY_BLURBS, rng.randrange(1, 4))]
            parts += rng.sample(RESPONSIBILITIES, rng.randrange(2, 7))
        parts += _skill_sentences(rng, spellings)
        if style > 0.6:
            parts.append("What we offer:")
            parts += ["- " + b for b in rng.sample(BENEFITS, rng.randrange(2, 6))]
            parts += rng.sample(CLOSINGS, rng.randrange(1, 3))
            if rng.random() < 0.5:  # far from the skill sentences, so their context does not leak in
                parts.append(_one(rng, DISTRACTORS))
        separator = "\n" if style > 0.8 else " "
        return separator.join(parts)

    def _spelling(self, rng: random.Random, name: str) -> str:
        canonical, others = self._spellings[name]
        return _one(rng, others) if others and rng.random() < 0.3 else canonical


def _one(rng: random.Random, options):
    """``rng.choice`` from one float draw: several times faster, equally deterministic."""
    return options[int(rng.random() * len(options))]


def _skill_sentences(rng: random.Random, spellings: list[str]) -> list[str]:
    sentences, rest = [], list(spellings)
    while rest:
        n = min(len(rest), _one(rng, (1, 2, 3)))
        sentences.append(_one(rng, SKILL_SENTENCES[n]).format(*rest[:n]))
        rest = rest[n:]
    rng.shuffle(sentences)
    return sentences


def _base_weight(skill, family: RoleFamily, core: tuple[str, ...]) -> float:
    if skill.name in core:
        return 12.0
    return 1.0 if skill.category in family.categories else 0.08


def _title(rng: random.Random, family: RoleFamily, prefixes: tuple[str, ...], core_skills: list[str],
           title_skills: dict[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...]]:
    """A title and the skills it names."""
    templates = [t for t in family.titles if "{skill}" not in t or core_skills]
    template = _one(rng, templates)
    named = (core_skills[0],) if "{skill}" in template else ()
    title = template.format(skill=named[0] if named else "")
    named += title_skills.get(template, ())
    prefix = _one(rng, prefixes)
    return (f"{prefix} {title}" if prefix else title), named


def _salary(rng: random.Random, place: _Place, region: str, factor: float) -> dict[str, Any]:
    currency = COUNTRY_CURRENCY.get(place.country or "", "USD")
    mid_usd = REGION_BASE_SALARY_USD.get(region, 70_000) * factor * rng.uniform(0.85, 1.2)
    step = 1000 if USD_PER_UNIT[currency] > 0.1 else 100_000
    low = round(mid_usd * (1 - rng.uniform(0.08, 0.2)) / USD_PER_UNIT[currency] / step) * step
    high = round(mid_usd * (1 + rng.uniform(0.08, 0.25)) / USD_PER_UNIT[currency] / step) * step
    return {"salary_min": float(low), "salary_max": float(max(low, high)), "salary_currency": currency}


def _named_skills(text: str, skills: Iterable) -> tuple[str, ...]:
    """Skills a title names outright (e.g. "Machine Learning Engineer"), by their unambiguous forms."""
    padded = f" {re.sub(r'[,;:()/|]', ' ', text).lower()} "
    return tuple(skill.name for skill in skills if any(f" {form.lower()} " in padded for form in skill.safe_forms))


def _spellings(skill, skill_forms: dict[str, str]) -> tuple[str, tuple[str, ...]]:
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


def _lookup_by_spelling(skills: Iterable) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for skill in skills:
        for spelling in (skill.name, *skill.aliases, *skill.ambiguous):
            lookup.setdefault(spelling.lower(), skill.name)
    return lookup


def _resolve_family(family: RoleFamily, by_lower: dict[str, str]) -> tuple[RoleFamily, tuple[str, ...]]:
    """The family and its core skills as canonical taxonomy names (names the taxonomy lacks are left out)."""
    core = tuple(dict.fromkeys(by_lower[n.lower()] for n in family.core if n.lower() in by_lower))
    return family, core


@lru_cache(maxsize=1)
def _raw_location_entries() -> dict[str, dict]:
    text = resources.files("talent_pulse").joinpath("data/locations.json").read_text("utf-8")
    return {entry["slug"]: entry for entry in json.loads(text)["locations"]}


def _places(gazetteer: Gazetteer) -> list[_Place]:
    """Gazetteer entries with the raw spellings scrapers use, kept only if they resolve back to the entry."""
    raw = _raw_location_entries()
    places = []
    for location in gazetteer.locations:
        entry = raw.get(location.slug, {})
        names = [n for n in (location.city, entry.get("name"), *entry.get("aliases", ())) if n]
        candidates = set(names)
        if location.city:
            candidates |= {f"{location.city}, {location.country}"} | {location.city + s for s in REMOTE_SUFFIXES}
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


_SENIORITY_CHOICE = _WeightedChoice.of((i, level[2]) for i, level in enumerate(SENIORITY))
_SOURCE_CHOICE = _WeightedChoice.of(SOURCES)
