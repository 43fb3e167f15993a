"""Global Talent Pulse dashboard: live pulse (Redis), history (DuckDB/Athena) and pipeline health.

Redis is read only through ``talent_pulse.serving`` (one pipelined round trip per
refresh), history only through ``talent_pulse.queries``. Run it with `pulse dashboard`.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import charts
import views
from views import Filters, Reference

from talent_pulse.queries import HistoryBackend, QueryError, QueryResult, named_queries, open_backend, run_named
from talent_pulse.settings import Settings

if TYPE_CHECKING:
    import redis

    from talent_pulse.serving import Snapshot

REFRESH_SECONDS = 0.5  # half the hot path's trigger: a page shows a batch ~0.25 s after Redis has it, on average
LAKE_RECHECK_SECONDS = 15.0  # how often an open History or Health tab asks again while the lake has no rows for it

st.set_page_config(page_title="Global Talent Pulse", page_icon="📈", layout="wide")
# Denser than Streamlit's default: an analyst keeps this open beside other work.
st.markdown(
    "<style>.block-container {padding-top: 2.2rem; padding-bottom: 1rem;} "
    "h3 {font-size: 1.15rem !important; padding-top: 0.6rem !important;}</style>",
    unsafe_allow_html=True,
)


def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource
def reference() -> Reference:
    return views.load_reference()


@st.cache_resource
def redis_connection(config: Settings) -> redis.Redis[str]:
    from talent_pulse.serving import redis_client

    return redis_client(config)


def read_live(read: views.LiveRead) -> Snapshot | None:
    """The snapshot, or None after showing why there is none (never a traceback)."""
    import redis

    from talent_pulse.serving import read_snapshot, redacted_url

    try:
        config = settings()
        return read_snapshot(redis_connection(config), config.serving_namespace, **read.snapshot_arguments())
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        st.error(
            f"**Redis is not answering** at {redacted_url(settings().redis_url)} ({exc.__class__.__name__}). "
            "Start the local stack with `pulse local up`, or check `PULSE_REDIS_URL` and the network path "
            "to ElastiCache. This page retries on its own."
        )
    except redis.exceptions.RedisError as exc:
        st.error(
            f"**Redis refused the read**: {exc}. Check `PULSE_REDIS_PASSWORD` and that the URL points "
            "to the serving Redis."
        )
    return None


# --- sidebar: filters, and exactly what each narrows ----------------------------------------------


def sidebar_filters(ref: Reference) -> Filters:
    st.sidebar.title("Talent Pulse")
    st.sidebar.caption(f"namespace `{settings().serving_namespace}` · history on {settings().history_backend}")
    regions = st.sidebar.multiselect("Region", ref.regions(), key="regions", placeholder="All regions")
    slugs = sorted((s for s, r in ref.location_region.items() if not regions or r in regions), key=ref.label)
    locations = st.sidebar.multiselect(
        "Location",
        slugs,
        key="locations",
        format_func=ref.label,
        placeholder="All locations",
        max_selections=views.MAX_HISTORY_LOCATIONS,
        help=f"up to {views.MAX_HISTORY_LOCATIONS}: History binds them as one query parameter",
    )
    categories = st.sidebar.multiselect(
        "Skill category", ref.categories(), key="categories", placeholder="All categories"
    )
    st.sidebar.caption(
        "**Live pulse**: every chart. Trend, pair, remote and seniority counters are kept for all locations "
        "together, so place filters narrow their skills, not their totals; the map's bubbles count all "
        "postings of a city whatever the category.  \n"
        "**History**: region and location narrow every query; category narrows weekly demand and rising "
        "skills (the comparison and the examples follow the skill you type).  \n"
        "**Health**: none (pipeline-wide)."
    )
    return Filters(tuple(locations), tuple(regions), tuple(categories))


# --- live pulse -----------------------------------------------------------------------------------


@st.fragment(run_every=REFRESH_SECONDS)
def live_pulse(filters: Filters, ref: Reference) -> None:
    started = time.perf_counter()
    map_skill = st.session_state.get("map_skill") or ""
    refreshed = views.live_refresh(read_live, filters, ref, st.session_state.get("live_wanted"), map_skill)
    if refreshed is None:
        return
    snapshot, frames = refreshed
    if not snapshot.meta.postings and not snapshot.meta.rejected:
        st.info(
            "**No postings yet.** The live store is empty: start the pipeline with `pulse demo start` "
            "(or `pulse stream` and `pulse produce`). Numbers appear within seconds."
        )
        return
    st.session_state["live_wanted"] = frames.wanted
    show_kpis(frames.kpis, filters)

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Top skills")
        if frames.top.empty:
            st.info("No skills match these filters yet.")
        else:
            st.vega_lite_chart(frames.top, charts.top_skills(len(frames.top)), width="stretch")
    with right:
        st.subheader("Skills that travel together")
        if frames.pairs.empty:
            st.info("No skill pairs match these filters yet.")
        else:
            st.dataframe(
                frames.pairs,
                hide_index=True,
                width="stretch",
                column_config={
                    "postings": st.column_config.ProgressColumn(
                        "postings", format="%d", min_value=0, max_value=int(frames.pairs["postings"].max())
                    )
                },
            )

    world_map(frames, map_skill)

    minute_tab, hour_tab = st.tabs(["Last hour · per minute", "Last 48 h · per hour"])
    with minute_tab:
        trend_chart(frames.minute_trend, "%H:%M")
    with hour_tab:
        trend_chart(frames.hour_trend, "%a %H:%M")

    st.subheader("Where each skill is asked for")
    st.caption("Share of each location's postings that mention the skill.")
    if frames.heat.empty:
        st.info("No locations match these filters yet.")
    else:
        st.vega_lite_chart(frames.heat, charts.heatmap(frames.heat["location"].nunique()), width="stretch")

    remote_col, seniority_col, _ = st.columns([2, 2, 1])
    with remote_col:
        st.subheader("Remote share")
        mix_chart(frames.remote, "mode")
    with seniority_col:
        st.subheader("Seniority mix")
        mix_chart(frames.seniority, "seniority")
    st.caption(
        f"Refreshed every {REFRESH_SECONDS:g} s · server time for this refresh "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )


def world_map(frames: views.LiveFrames, map_skill: str) -> None:
    title, pick = st.columns([3, 1])
    title.subheader("Live demand on the map")
    options = ["", *dict.fromkeys([*frames.top["skill"], *([map_skill] if map_skill else [])])]
    pick.selectbox(
        "Skill on the map",
        options,
        key="map_skill",
        format_func=lambda s: s or "All postings",
        help="bubble area: postings per city; with a skill, colour: that skill's share of them",
    )
    if frames.map.empty:
        st.info(
            "No city in scope has postings yet."
            if not map_skill
            else f"No city in scope has a posting that mentions {map_skill} yet."
        )
        return
    st.plotly_chart(
        charts.world_map(frames.map, map_skill), config=charts.MAP_CONFIG, key="world_map", theme=None, width="stretch"
    )
    shown = int(frames.map["postings"].sum())
    note = (
        f"{len(frames.map)} cities, {shown:,} postings"
        + (f", {map_skill} in {int(frames.map['skill_postings'].sum()):,} of them" if map_skill else "")
        + f". {frames.unmapped_postings:,} postings are remote, name only a country or no place, and are "
        "not drawn. Coordinates from the gazetteer; outlines: Natural Earth 1:110m."
    )
    st.caption(note)


def show_kpis(k: views.Kpis, filters: Filters) -> None:
    cols = st.columns(5)
    scope = " (filtered)" if filters.scoped_by_place else ""
    cols[0].metric(f"Postings processed{scope}", f"{k.postings:,}")
    cols[1].metric(
        "Postings / min",
        f"{k.postings_per_minute:,}",
        delta=k.postings_per_minute - k.previous_minute,
        help="postings in the last 60 s of event time; the delta compares with the previous minute",
    )
    cols[2].metric("Rejected", f"{k.rejected:,}", help="quarantined: see Health")
    cols[3].metric("Duplicates", f"{k.duplicates:,}", help="same event_id seen again, counted once")
    cols[4].metric("Last update", views.age_text(k.age_seconds), help=f"newest event time {k.last_event_time or '—'}")
    if k.stale:
        st.warning(
            f"**Data is stale**: the last update was {views.age_text(k.age_seconds)}. "
            "Is the streaming job running? (`pulse demo status`)"
        )


def trend_chart(frame: pd.DataFrame, time_format: str) -> None:
    if frame.empty or not frame["postings"].any():
        st.info("No trend data in this window yet.")
        return
    st.vega_lite_chart(frame, charts.trend(time_format), width="stretch")


def mix_chart(frame: pd.DataFrame, label: str) -> None:
    if frame.empty:
        st.info("Not reported yet.")
        return
    st.vega_lite_chart(frame, charts.mix(label, list(frame[label])), width="stretch")


# --- history --------------------------------------------------------------------------------------

_history_lock = threading.Lock()  # one DuckDB connection, shared by every browser session


@st.cache_resource
def history_backend(config: Settings) -> HistoryBackend:
    return open_backend(config)


@st.cache_data(ttl=120, show_spinner="Querying history…")
def cached_history(config: Settings, name: str, params: tuple[tuple[str, str], ...]) -> QueryResult:
    with _history_lock:
        backend = history_backend(config)
        if hasattr(backend, "refresh_views"):
            backend.refresh_views()  # pick up partitions written since the last query
        return run_named(backend, name, dict(params))


def history(config: Settings, name: str, params: tuple[tuple[str, str], ...]) -> QueryResult:
    """A named query's result, cached for 2 minutes unless empty (failures raise and are never cached)."""
    result = cached_history(config, name, params)
    if not result.rows:
        # An empty lake fills up within a micro-batch or two: ask again next time instead of for 2 minutes.
        cached_history.clear(config, name, params)
    return result


def history_section(
    name: str,
    params: dict[str, str],
    chart: Callable[[pd.DataFrame], None] | None = None,
    narrow: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> bool:
    """One named query as a chart or table; ``narrow`` applies filters the query cannot bind (categories).

    True when the query returned no rows (the lake has nothing for it yet)."""
    query = named_queries()[name]
    st.subheader(query.title)
    try:
        result = history(settings(), name, tuple(sorted(params.items())))
    except QueryError as exc:
        st.error(f"**{query.title}: the history backend did not answer.** {exc}")
        return False
    frame = views.for_people(pd.DataFrame(result.rows, columns=result.columns))
    if narrow is not None:
        frame = narrow(frame)
    if frame.empty:
        st.info(
            "No postings in the lake for this selection yet: the streaming job commits to the Iceberg "
            f"tables every {settings().cold_trigger_seconds:g} s (PULSE_COLD_TRIGGER_SECONDS); "
            f"this tab asks again every {LAKE_RECHECK_SECONDS:g} s."
        )
    elif chart is not None:
        chart(frame)
    else:
        st.dataframe(frame, hide_index=True, width="stretch")
    st.caption(f"{query.description} · {result.note}")
    return not result.rows


def rechecked_while_empty(key: str, sections: Callable[[], list[bool]]) -> None:
    """Runs `sections` (each True when its query came back empty) in a fragment that reruns itself every
    LAKE_RECHECK_SECONDS while any came back empty, e.g. when the tab opens before the job's first commit."""
    waiting_key = f"{key}_waiting_for_the_lake"
    waiting = st.session_state.get(waiting_key, False)

    def run_sections() -> None:
        empty = any(sections())
        if empty != waiting:
            st.session_state[waiting_key] = empty
            st.rerun()  # the whole page, so that the fragment's cadence follows

    st.fragment(run_sections, run_every=LAKE_RECHECK_SECONDS if waiting else None)()


def history_page(filters: Filters, ref: Reference) -> None:
    scope = [
        label
        for label, values in (
            ("regions", filters.regions),
            ("locations", filters.locations),
            ("categories", filters.categories),
        )
        if values
    ]
    st.caption(
        f"Iceberg tables in `{settings().glue_database}` (data under `{settings().lake_uri}`) via "
        f"{settings().history_backend}. Sidebar filters applied: {', '.join(scope) or 'none'}. "
        "Results are cached for 2 minutes; empty ones are not."
    )
    a, b = st.columns([3, 1])
    skill = a.text_input("Skill", key="history_skill", placeholder="e.g. Python — empty for the top skills").strip()
    since = b.date_input("Since", value=pd.Timestamp.utcnow().date() - pd.Timedelta(days=84), key="history_since")
    day, places = since.isoformat(), views.history_places(filters)

    weekly_top = views.default_top(named_queries()["weekly_demand"])
    rising_top = views.default_top(named_queries()["rising_skills"])

    def sections() -> list[bool]:
        empty = [
            history_section(
                "weekly_demand",
                {"since": day, "skill": skill, **places, "top": str(views.history_top(filters, weekly_top))},
                weekly_chart,
                narrow=None if skill else lambda f: views.in_categories(f, filters, ref, weekly_top, "postings"),
            )
        ]
        left, right = st.columns(2)
        with left:
            empty.append(
                history_section(
                    "rising_skills",
                    {**places, "top": str(views.history_top(filters, rising_top))},
                    narrow=lambda f: views.in_categories(f, filters, ref, rising_top, "share_change_pts"),
                )
            )
        with right:
            empty.append(history_section("location_comparison", {"skill": skill, "since": day, **places}))
        if skill:
            empty.append(history_section("skill_examples", {"skill": skill, "since": day, **places}))
        else:
            st.info("Type a skill above to see example postings that mention it.")
        return empty

    rechecked_while_empty("history", sections)


def weekly_chart(frame: pd.DataFrame) -> None:
    st.vega_lite_chart(frame, charts.weekly(), width="stretch")


# --- health ---------------------------------------------------------------------------------------


def health_page() -> None:
    snapshot = read_live(views.live_read(Filters(), reference(), None))
    if snapshot is not None:
        meta = snapshot.meta
        lag = views.kpis(snapshot, Filters(), reference())
        cols = st.columns(4)
        cols[0].metric("Last batch id", "—" if meta.last_batch_id is None else f"{meta.last_batch_id}")
        cols[1].metric("Last update", views.age_text(lag.age_seconds))
        cols[2].metric(
            "Event-time lag",
            views.age_text(_event_lag(meta.last_event_time)),
            help="now minus the newest event time applied: how far the pipeline trails the producers",
        )
        cols[3].metric("Rejected", f"{meta.rejected:,}")
        st.subheader("Rejected by reason (live counters)")
        reasons = views.mix_frame(snapshot.rejected_reasons, "reason").rename(columns={"postings": "records"})
        if reasons.empty:
            st.success("No rejected records.")
        else:
            st.dataframe(reasons, hide_index=True, width="stretch")
    since = (pd.Timestamp.utcnow().date() - pd.Timedelta(days=7)).isoformat()
    rechecked_while_empty(
        "health",
        lambda: [
            history_section("quarantine_by_reason", {"since": since}),
            history_section("quarantine_examples", {"since": since}),
        ],
    )


def _event_lag(last_event_time: str | None) -> float | None:
    if not last_event_time:
        return None
    return max(0.0, time.time() - pd.Timestamp(last_event_time).timestamp())


def main() -> None:
    try:
        ref = reference()
    except (ImportError, OSError, ValueError, KeyError) as exc:  # a broken install: say so, no stack trace
        st.error(f"**Reference data could not be loaded**: {exc}. Reinstall the package (`pip install -e .`).")
        return
    filters = sidebar_filters(ref)
    st.title("Global Talent Pulse")
    # Only the open tab runs: the live refresh stops while History or Health is shown, and opening
    # History queries the lake at that moment.
    live_tab, history_tab, health_tab = st.tabs(["Live pulse", "History", "Health"], key="page", on_change="rerun")
    if live_tab.open:
        with live_tab:
            live_pulse(filters, ref)
    if history_tab.open:
        with history_tab:
            history_page(filters, ref)
    if health_tab.open:
        with health_tab:
            health_page()


main()
