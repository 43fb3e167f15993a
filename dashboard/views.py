"""Pure functions from a serving-layer Snapshot (+ filters) to the frames the dashboard draws.

No Streamlit and no Redis here, so every number on screen is testable on its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from talent_pulse.contract import SENIORITY_LEVELS

STALE_AFTER_SECONDS = 30.0
# Skills (and pairs) read per refresh. 25 matches the per-location top list the serving layer keeps;
# with a category filter 200 are read so that a small category still fills its top-N.
SNAPSHOT_TOP_N = 25
SNAPSHOT_TOP_N_BY_CATEGORY = 200
TOP_N = 15
TREND_SKILLS = 6
HEATMAP_SKILLS = 12
TOP_PAIRS = 12
REMOTE_ORDER = ("remote", "onsite", "unknown")


@dataclass(frozen=True)
class Filters:
    locations: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def scoped_by_place(self) -> bool:
        return bool(self.locations or self.regions)

    @property
    def snapshot_top_n(self) -> int:
        return SNAPSHOT_TOP_N_BY_CATEGORY if self.categories else SNAPSHOT_TOP_N


@dataclass(frozen=True)
class Reference:
    """What the live store does not know: skill → category (taxonomy), slug → region/label (gazetteer)."""

    skill_category: Mapping[str, str]
    location_region: Mapping[str, str]
    location_label: Mapping[str, str]

    def categories(self) -> list[str]:
        return sorted(set(self.skill_category.values()))

    def regions(self) -> list[str]:
        return sorted(set(self.location_region.values()))

    def label(self, slug: str) -> str:
        return self.location_label.get(slug, slug)


def load_reference() -> Reference:
    from talent_pulse.gazetteer import load_gazetteer
    from talent_pulse.skills import load_taxonomy

    gazetteer = load_gazetteer()
    return Reference(
        skill_category={skill.name: skill.category for skill in load_taxonomy().skills},
        location_region={loc.slug: loc.region for loc in gazetteer.locations},
        location_label={loc.slug: (loc.city or loc.slug.replace("-", " ").title()) for loc in gazetteer.locations},
    )


def selected_locations(filters: Filters, reference: Reference, known: Iterable[str]) -> list[str] | None:
    """Location slugs in scope, or None when every location is."""
    if not filters.scoped_by_place:
        return None
    return [slug for slug in known
            if (not filters.locations or slug in filters.locations)
            and (not filters.regions or reference.location_region.get(slug) in filters.regions)]


def skill_in_scope(skill: str, filters: Filters, reference: Reference) -> bool:
    return not filters.categories or reference.skill_category.get(skill) in filters.categories


def scoped_skill_counts(snapshot: Any, filters: Filters, reference: Reference) -> list[tuple[str, int]]:
    """Skill counts for the filters: all-time totals, or summed over the selected locations."""
    places = selected_locations(filters, reference, snapshot.location_skills)
    if places is None:
        counts = dict(snapshot.top_skills)
    else:
        counts: dict[str, int] = {}
        for slug in places:
            for skill, n in snapshot.location_skills.get(slug, {}).items():
                counts[skill] = counts.get(skill, 0) + n
    kept = [(s, n) for s, n in counts.items() if skill_in_scope(s, filters, reference)]
    return sorted(kept, key=lambda item: (-item[1], item[0]))


def scoped_postings(snapshot: Any, filters: Filters, reference: Reference) -> int:
    locations = dict(snapshot.locations)
    places = selected_locations(filters, reference, locations)
    return int(snapshot.meta.postings if places is None else sum(locations[slug] for slug in places))


@dataclass(frozen=True)
class Kpis:
    postings: int
    postings_per_minute: int
    previous_minute: int
    rejected: int
    duplicates: int
    age_seconds: float | None
    last_event_time: str | None

    @property
    def stale(self) -> bool:
        return self.age_seconds is None or self.age_seconds > STALE_AFTER_SECONDS


def kpis(snapshot: Any, filters: Filters, reference: Reference, now: float | None = None) -> Kpis:
    now = time.time() if now is None else now
    current_minute = int(now // 60)
    per_minute = {int(point.start.timestamp() // 60): point.postings for point in snapshot.minute_trend}
    previous = per_minute.get(current_minute - 1, 0)
    # Sliding 60 s of event time: this minute so far plus the unexpired part of the last one.
    elapsed = (now % 60) / 60
    meta = snapshot.meta
    return Kpis(
        postings=scoped_postings(snapshot, filters, reference),
        postings_per_minute=round(per_minute.get(current_minute, 0) + previous * (1 - elapsed)),
        previous_minute=int(previous),
        rejected=int(meta.rejected),
        duplicates=int(meta.duplicates),
        age_seconds=None if meta.last_update_time is None else max(0.0, now - float(meta.last_update_time)),
        last_event_time=meta.last_event_time,
    )


def top_skills_frame(snapshot: Any, filters: Filters, reference: Reference, n: int) -> pd.DataFrame:
    rows = scoped_skill_counts(snapshot, filters, reference)[:n]
    frame = pd.DataFrame(rows, columns=["skill", "postings"])
    frame["category"] = [reference.skill_category.get(s, "other") for s in frame["skill"]]
    return frame


def trend_frame(points: Iterable[Any], skills: Iterable[str]) -> pd.DataFrame:
    """Long frame (time, skill, postings) for the trend skills, one row per bucket and skill."""
    wanted = list(skills)
    rows = [(point.start, skill, int(point.skills.get(skill, 0))) for point in points for skill in wanted]
    return pd.DataFrame(rows, columns=["time", "skill", "postings"])


def heatmap_frame(snapshot: Any, filters: Filters, reference: Reference, skills: Iterable[str],
                  max_locations: int = 15) -> pd.DataFrame:
    """Share of each location's postings mentioning each skill (normalised, so big cities do not dominate)."""
    locations = dict(snapshot.locations)
    places = selected_locations(filters, reference, locations)
    ranked = [slug for slug, _ in sorted(locations.items(), key=lambda kv: -kv[1])
              if places is None or slug in places][:max_locations]
    rows = []
    for slug in ranked:
        per_skill = snapshot.location_skills.get(slug, {})
        total = locations[slug]
        for skill in skills:
            count = int(per_skill.get(skill, 0))
            rows.append((reference.label(slug), skill, count, 100.0 * count / total if total else 0.0))
    return pd.DataFrame(rows, columns=["location", "skill", "postings", "share_pct"])


def pairs_frame(snapshot: Any, filters: Filters, reference: Reference, n: int) -> pd.DataFrame:
    rows = [(f"{a} + {b}", int(count)) for a, b, count in snapshot.top_pairs
            if skill_in_scope(a, filters, reference) or skill_in_scope(b, filters, reference)][:n]
    return pd.DataFrame(rows, columns=["pair", "postings"])


def mix_frame(counts: Mapping[str, int], label: str, order: Iterable[str] = ()) -> pd.DataFrame:
    ordered = [k for k in order if k in counts] + sorted(k for k in counts if k not in set(order))
    total = sum(counts.values())
    return pd.DataFrame([(k, int(counts[k]), 100.0 * counts[k] / total if total else 0.0) for k in ordered],
                        columns=[label, "postings", "share_pct"])


@dataclass(frozen=True)
class LiveFrames:
    """Everything the Live pulse draws for one refresh."""

    kpis: Kpis
    top: pd.DataFrame
    pairs: pd.DataFrame
    minute_trend: pd.DataFrame
    hour_trend: pd.DataFrame
    heat: pd.DataFrame
    remote: pd.DataFrame
    seniority: pd.DataFrame

    @property
    def trend_skills(self) -> list[str]:
        """The skills whose trend the next refresh should read (the top ones for these filters)."""
        return list(self.top["skill"][:TREND_SKILLS])


def live_frames(snapshot: Any, filters: Filters, reference: Reference, now: float | None = None) -> LiveFrames:
    top = top_skills_frame(snapshot, filters, reference, TOP_N)
    trend_skills = list(top["skill"][:TREND_SKILLS])
    return LiveFrames(
        kpis=kpis(snapshot, filters, reference, now),
        top=top,
        pairs=pairs_frame(snapshot, filters, reference, TOP_PAIRS),
        minute_trend=trend_frame(snapshot.minute_trend, trend_skills),
        hour_trend=trend_frame(snapshot.hour_trend, trend_skills),
        heat=heatmap_frame(snapshot, filters, reference, list(top["skill"][:HEATMAP_SKILLS])),
        remote=mix_frame(snapshot.remote, "mode", REMOTE_ORDER),
        seniority=mix_frame(snapshot.seniority, "seniority", SENIORITY_LEVELS),
    )


def age_text(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"
