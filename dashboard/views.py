"""Pure functions from a serving-layer Snapshot (+ filters) to the frames the dashboard draws.

No Streamlit and no Redis here, so every number on screen is testable on its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from talent_pulse.contract import SENIORITY_LEVELS
from talent_pulse.serving import Focus

STALE_AFTER_SECONDS = 30.0
# Top skills and pairs read per refresh; with a category filter 200 pairs are read so that a small
# category still finds its pairs (skill counts under a filter are read exactly, see live_read).
SNAPSHOT_TOP_N = 25
SNAPSHOT_TOP_N_BY_CATEGORY = 200
TOP_N = 15
TREND_SKILLS = 6
HEATMAP_SKILLS = 12
HEATMAP_LOCATIONS = 15
TOP_PAIRS = 12
REMOTE_ORDER = ("remote", "onsite", "unknown")
# History binds the place filters as one text parameter (at most 100 characters, slugs up to 20):
MAX_HISTORY_LOCATIONS = 4
# With a category filter, History asks for this many top skills and keeps those of the categories.
HISTORY_TOP_UNDER_CATEGORY = 400


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
    location_point: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # city slug -> (lat, lon)

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
        location_point={
            loc.slug: (loc.lat, loc.lon) for loc in gazetteer.locations if loc.lat is not None and loc.lon is not None
        },
    )


def selected_locations(filters: Filters, reference: Reference, known: Iterable[str]) -> list[str] | None:
    """Location slugs in scope, or None when every location is."""
    if not filters.scoped_by_place:
        return None
    return [
        slug
        for slug in known
        if (not filters.locations or slug in filters.locations)
        and (not filters.regions or reference.location_region.get(slug) in filters.regions)
    ]


def skill_in_scope(skill: str, filters: Filters, reference: Reference) -> bool:
    return not filters.categories or reference.skill_category.get(skill) in filters.categories


@dataclass(frozen=True)
class Wanted:
    """The exact per-skill counts one refresh's charts need: the trend lines and the heat-map cells."""

    trend_skills: tuple[str, ...] = ()
    heat_places: tuple[str, ...] = ()
    heat_skills: tuple[str, ...] = ()
    map_places: tuple[str, ...] = ()  # with map_skill: the places whose count of that skill the map shows
    map_skill: str = ""

    @property
    def cell_places(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.heat_places + (self.map_places if self.map_skill else ())))

    @property
    def cell_skills(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.heat_skills + ((self.map_skill,) if self.map_skill else ())))

    def answered_by(self, snapshot: Any) -> bool:
        return (
            set(self.trend_skills) <= set(snapshot.trend_skills or ())
            and set(self.cell_places) <= set(snapshot.focus.cell_places)
            and set(self.cell_skills) <= set(snapshot.focus.cell_skills)
        )


@dataclass(frozen=True)
class LiveRead:
    """The arguments of one Live-pulse `read_snapshot`."""

    top_n: int
    trend_skills: tuple[str, ...]
    focus: Focus

    def snapshot_arguments(self) -> dict[str, Any]:
        # location_top_n=0: the per-location top lists are not needed, every filtered count is read exactly.
        return {"top_n": self.top_n, "trend_skills": self.trend_skills, "focus": self.focus, "location_top_n": 0}


def live_read(filters: Filters, reference: Reference, wanted: Wanted | None) -> LiveRead:
    """What to read for these filters, given what the previous refresh's charts wanted.

    Place filters read the union of the selected locations' skill counts; a category filter
    alone reads the all-time count of each of its skills. Both are exact, whatever the rank.
    """
    places = selected_locations(filters, reference, sorted(reference.location_region))
    category_skills = tuple(
        sorted(
            skill
            for skill in reference.skill_category
            if filters.categories and skill_in_scope(skill, filters, reference)
        )
    )
    wanted = wanted or Wanted()
    return LiveRead(
        top_n=filters.snapshot_top_n,
        trend_skills=wanted.trend_skills,  # none yet: postings per bucket only, the skills follow
        focus=Focus(
            skills=category_skills if places is None else (),
            places=tuple(places or ()),
            cell_places=wanted.cell_places,
            cell_skills=wanted.cell_skills,
        ),
    )


def scoped_skill_counts(snapshot: Any, filters: Filters, reference: Reference) -> list[tuple[str, int]]:
    """Skill counts for the filters: all-time totals, or summed over the selected locations."""
    if filters.scoped_by_place:
        counts = snapshot.place_skill_counts
    elif filters.categories:
        counts = snapshot.skill_counts
    else:
        counts = dict(snapshot.top_skills)
    kept = [(s, n) for s, n in counts.items() if n and skill_in_scope(s, filters, reference)]
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


def heat_places(snapshot: Any, filters: Filters, reference: Reference) -> list[str]:
    """The locations in scope with the most postings, most first."""
    locations = dict(snapshot.locations)
    places = selected_locations(filters, reference, locations)
    return [slug for slug, _ in sorted(locations.items(), key=lambda kv: -kv[1]) if places is None or slug in places][
        :HEATMAP_LOCATIONS
    ]


def heatmap_frame(snapshot: Any, reference: Reference, places: Iterable[str], skills: Iterable[str]) -> pd.DataFrame:
    """Share of each location's postings mentioning each skill (normalised, so big cities do not dominate).

    Only cells whose exact count was read are drawn: a missing cell is blank, never a made-up 0.
    """
    locations = dict(snapshot.locations)
    rows = []
    for slug in places:
        read = snapshot.cells.get(slug, {})
        total = locations.get(slug, 0)
        for skill in skills:
            if skill in read:
                rows.append((reference.label(slug), skill, read[skill], share_pct(read[skill], total)))
    return pd.DataFrame(rows, columns=["location", "skill", "postings", "share_pct"])


def pairs_frame(snapshot: Any, filters: Filters, reference: Reference, n: int) -> pd.DataFrame:
    rows = [
        (f"{a} + {b}", int(count))
        for a, b, count in snapshot.top_pairs
        if skill_in_scope(a, filters, reference) or skill_in_scope(b, filters, reference)
    ][:n]
    return pd.DataFrame(rows, columns=["pair", "postings"])


def mix_frame(counts: Mapping[str, int], label: str, order: Iterable[str] = ()) -> pd.DataFrame:
    ordered = [k for k in order if k in counts] + sorted(k for k in counts if k not in set(order))
    total = sum(counts.values())
    return pd.DataFrame(
        [(k, int(counts[k]), share_pct(counts[k], total)) for k in ordered], columns=[label, "postings", "share_pct"]
    )


def share_pct(part: float, total: float) -> float:
    """A share in percent, rounded for people: one decimal."""
    return round(100.0 * part / total, 1) if total else 0.0


def map_places(snapshot: Any, filters: Filters, reference: Reference) -> list[str]:
    """Locations in scope that are points on the map (cities), most postings first."""
    locations = dict(snapshot.locations)
    places = selected_locations(filters, reference, locations)
    return [
        slug
        for slug, _ in sorted(locations.items(), key=lambda kv: -kv[1])
        if slug in reference.location_point and (places is None or slug in places)
    ]


def map_frame(snapshot: Any, reference: Reference, places: Iterable[str], skill: str = "") -> pd.DataFrame:
    """One row per city: its postings and, for a chosen skill, how many mention it and their share.

    With a skill, only cities whose exact count was read are drawn (never a made-up 0).
    """
    locations = dict(snapshot.locations)
    rows: list[tuple[str, str, float, float, int, int | None, float | None]] = []
    for slug in places:
        total = int(locations.get(slug, 0))
        lat, lon = reference.location_point[slug]
        if not skill:
            rows.append((reference.label(slug), slug, lat, lon, total, None, None))
        elif skill in snapshot.cells.get(slug, {}):
            count = int(snapshot.cells[slug][skill])
            rows.append((reference.label(slug), slug, lat, lon, total, count, share_pct(count, total)))
    return pd.DataFrame(rows, columns=["location", "slug", "lat", "lon", "postings", "skill_postings", "share_pct"])


def unmapped_postings(snapshot: Any, filters: Filters, reference: Reference) -> int:
    """Postings in scope whose place is not a point: remote, country-level or unknown."""
    locations = dict(snapshot.locations)
    places = selected_locations(filters, reference, locations)
    return int(
        sum(
            n
            for slug, n in locations.items()
            if slug not in reference.location_point and (places is None or slug in places)
        )
    )


@dataclass(frozen=True)
class LiveFrames:
    """Everything the Live pulse draws for one refresh, and the exact counts it needed."""

    kpis: Kpis
    top: pd.DataFrame
    pairs: pd.DataFrame
    minute_trend: pd.DataFrame
    hour_trend: pd.DataFrame
    heat: pd.DataFrame
    remote: pd.DataFrame
    seniority: pd.DataFrame
    map: pd.DataFrame
    unmapped_postings: int
    wanted: Wanted


def live_frames(
    snapshot: Any, filters: Filters, reference: Reference, now: float | None = None, map_skill: str = ""
) -> LiveFrames:
    top = top_skills_frame(snapshot, filters, reference, TOP_N)
    wanted = Wanted(
        trend_skills=tuple(top["skill"][:TREND_SKILLS]),
        heat_places=tuple(heat_places(snapshot, filters, reference)),
        heat_skills=tuple(top["skill"][:HEATMAP_SKILLS]),
        map_places=tuple(map_places(snapshot, filters, reference)),
        map_skill=map_skill,
    )
    # Trend lines only for skills whose per-bucket counts were read (a bucket's top list is not exact).
    trend_skills = [skill for skill in wanted.trend_skills if skill in (snapshot.trend_skills or ())]
    return LiveFrames(
        kpis=kpis(snapshot, filters, reference, now),
        top=top,
        pairs=pairs_frame(snapshot, filters, reference, TOP_PAIRS),
        minute_trend=trend_frame(snapshot.minute_trend, trend_skills),
        hour_trend=trend_frame(snapshot.hour_trend, trend_skills),
        heat=heatmap_frame(snapshot, reference, wanted.heat_places, wanted.heat_skills),
        remote=mix_frame(snapshot.remote, "mode", REMOTE_ORDER),
        seniority=mix_frame(snapshot.seniority, "seniority", SENIORITY_LEVELS),
        map=map_frame(snapshot, reference, wanted.map_places, map_skill),
        unmapped_postings=unmapped_postings(snapshot, filters, reference),
        wanted=wanted,
    )


def live_refresh(
    read: Callable[[LiveRead], Any], filters: Filters, reference: Reference, wanted: Wanted | None, map_skill: str = ""
) -> tuple[Any, LiveFrames] | None:
    """One Live-pulse refresh: the snapshot and its frames, or None when `read` returned None.

    One read when `wanted` (the previous refresh's needs) still holds; on the first refresh, after a
    filter change or when the ranking moved, a second read fetches the counts the new charts need.
    """
    snapshot = read(live_read(filters, reference, wanted))
    if snapshot is None:
        return None
    frames = live_frames(snapshot, filters, reference, map_skill=map_skill)
    if frames.wanted.answered_by(snapshot):
        return snapshot, frames
    snapshot = read(live_read(filters, reference, frames.wanted))
    return None if snapshot is None else (snapshot, live_frames(snapshot, filters, reference, map_skill=map_skill))


def age_text(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


# --- history: the sidebar filters as query parameters, results rounded for people ----------------


def history_places(filters: Filters) -> dict[str, str]:
    """The place filters as the named queries' `region` and `location` parameters (space-separated)."""
    return {"region": " ".join(filters.regions), "location": " ".join(filters.locations)}


def history_top(filters: Filters, top: int) -> int:
    """How many top skills to ask for: the category filter is applied to the answer, so ask for more."""
    return HISTORY_TOP_UNDER_CATEGORY if filters.categories else top


def in_categories(frame: pd.DataFrame, filters: Filters, reference: Reference, keep: int, rank_by: str) -> pd.DataFrame:
    """Rows of skills in the selected categories, the `keep` best by `rank_by` summed per skill."""
    if not filters.categories or frame.empty:
        return frame
    frame = frame[[skill_in_scope(s, filters, reference) for s in frame["skill"]]]
    best = frame.groupby("skill")[rank_by].sum().sort_values(ascending=False).index[:keep]
    frame = frame[frame["skill"].isin(best)].reset_index(drop=True)
    if "rank" in frame.columns:  # ranks among the kept skills
        frame["rank"] = range(1, len(frame) + 1)
    return frame


def default_top(query: Any) -> int:
    """A named query's default `top` parameter."""
    return int(next(param.default for param in query.params if param.name == "top"))


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Shares and share points to one decimal, money to whole units."""
    rounded = frame.copy()
    for column in rounded.columns:
        if column.endswith(("_pct", "_pts")):
            rounded[column] = pd.to_numeric(rounded[column]).round(1)
        elif column.startswith("avg_salary"):
            rounded[column] = pd.to_numeric(rounded[column]).round(0)
    return rounded
