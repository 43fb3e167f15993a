"""Every dashboard page through Streamlit's AppTest, against the real local Redis
(seeded through serving.apply_batch, the streaming job's write path) and DuckDB
over small Iceberg tables whose data lives in the S3 emulator."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from lake_samples import register_catalog, sample_lake_rows, write_lake
from streamlit.testing.v1 import AppTest

from talent_pulse.serving import LOCATION_TOP_SKILLS, BatchDelta, apply_batch, read_snapshot, redis_client

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
sys.path.insert(0, str(APP.parent))

import views  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def reference() -> views.Reference:
    return views.load_reference()


@pytest.fixture
def seeded(isolated_settings, reference, monkeypatch):
    """Two categories' skills in two regions' locations, applied as two fenced batches."""
    categories = sorted(
        {c for c in reference.skill_category.values()},
        key=lambda c: -sum(v == c for v in reference.skill_category.values()),
    )[:2]
    skills = {c: sorted(s for s, sc in reference.skill_category.items() if sc == c)[:2] for c in categories}
    regions = reference.regions()[:2]
    places = [sorted(s for s, r in reference.location_region.items() if r == region)[0] for region in regions]
    first, second = skills[categories[0]], skills[categories[1]]
    now = time.time()
    minute, hour = int(now // 60), int(now // 3600)
    batches = [
        BatchDelta(
            postings=100,
            rejected=4,
            duplicates=3,
            skills={first[0]: 70, first[1]: 40, second[0]: 30},
            locations={places[0]: 80, places[1]: 20},
            location_skills={places[0]: {first[0]: 60, first[1]: 35}, places[1]: {second[0]: 20}},
            minute_skills={minute - 2: {first[0]: 20}, minute - 1: {first[0]: 50, second[0]: 30}},
            hour_skills={hour: {first[0]: 70, first[1]: 40, second[0]: 30}},
            minute_postings={minute - 2: 30, minute - 1: 70},
            hour_postings={hour: 100},
            pairs={tuple(sorted((first[0], first[1]))): 25, tuple(sorted((first[0], second[0]))): 9},
            remote={"remote": 30, "onsite": 60, "unknown": 10},
            seniority={"mid": 70, "senior": 30},
            rejected_reasons={"malformed_json": 3, "missing_field": 1},
            last_event_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        ),
        BatchDelta(
            postings=20,
            skills={second[1]: 5},
            locations={places[1]: 20},
            location_skills={places[1]: {second[1]: 5}},
            minute_postings={minute - 1: 20},
            last_event_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        ),
    ]
    client = redis_client(isolated_settings)
    for batch_id, delta in enumerate(batches):
        assert apply_batch(client, isolated_settings.serving_namespace, "apptest", batch_id, delta)
    use_settings(monkeypatch, isolated_settings)
    return {"categories": categories, "skills": skills, "places": places, "postings": 120}


def use_settings(monkeypatch, settings) -> None:
    for row in settings.describe():
        if row["value"] != "****":
            monkeypatch.setenv(row["env"], str(row["value"]))


def run_app(page: str | None = None) -> AppTest:
    """The app after one run, on the given tab (only the open tab runs)."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    if page:
        at.session_state["page"] = page
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def charts(at: AppTest, mark: str) -> list:
    """Data frames of the Vega-Lite charts with the given mark, decoded from what the browser receives."""
    frames = []
    for element in at.main:
        if getattr(element, "type", None) != "vega_lite_chart":
            continue
        spec = json.loads(element.proto.spec)
        marks = {
            layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]
            for layer in spec.get("layer", [spec])
        }
        if mark in marks:
            frames.append(pa.ipc.open_stream(element.proto.data.data).read_all().to_pandas())
    return frames


def test_live_pulse_shows_the_seeded_counters(seeded):
    at = run_app()
    assert metric(at, "Postings processed") == "120"
    assert metric(at, "Rejected") == "4"
    assert metric(at, "Duplicates") == "3"
    assert metric(at, "Last update").endswith("s ago")
    assert not any("stale" in w.value for w in at.warning)
    top = charts(at, "bar")[0]
    first = seeded["skills"][seeded["categories"][0]]
    assert list(top["skill"][:2]) == first and list(top["postings"][:2]) == [70, 40]
    heat = charts(at, "rect")[0]
    cell = heat[(heat["skill"] == first[0]) & (heat["postings"] == 60)]
    assert cell["share_pct"].iloc[0] == pytest.approx(100 * 60 / 80)  # normalised by postings there
    trend = charts(at, "line")
    assert trend and trend[0].groupby("skill")["postings"].sum()[first[0]] == 70
    pairs = at.dataframe[0].value
    assert pairs["postings"].tolist() == [25, 9]


def test_filters_apply_to_every_chart(seeded, reference):
    at = run_app()
    category = seeded["categories"][1]
    at.multiselect(key="categories").set_value([category]).run()
    assert not at.exception
    top = charts(at, "bar")[0]
    assert set(top["skill"]) == set(seeded["skills"][category])
    assert set(charts(at, "rect")[0]["skill"]) <= set(seeded["skills"][category])
    assert len(at.dataframe[0].value) == 1  # only the pair touching that category

    unused = next(c for c in reference.categories() if c not in seeded["categories"])
    at.multiselect(key="categories").set_value([unused]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not charts(at, "bar") and any("No skills match these filters" in i.value for i in at.info)
    assert any("No skill pairs match" in i.value for i in at.info)

    at.multiselect(key="categories").set_value([]).run()
    at.multiselect(key="locations").set_value([seeded["places"][0]]).run()
    assert metric(at, "Postings processed (filtered)") == "80"
    assert set(charts(at, "bar")[0]["skill"]) == set(seeded["skills"][seeded["categories"][0]])
    assert charts(at, "rect")[0]["location"].nunique() == 1


def test_filtered_counts_are_exact_far_below_each_locations_top_list(isolated_settings, reference, monkeypatch):
    """A small category's skill ranks below 200 others in a big city: filtered charts still show its true counts."""
    rare_category = min(reference.categories(), key=lambda c: sum(v == c for v in reference.skill_category.values()))
    rare = sorted(s for s, c in reference.skill_category.items() if c == rare_category)[0]
    crowd = sorted(s for s, c in reference.skill_category.items() if c != rare_category)[: LOCATION_TOP_SKILLS + 10]
    region = reference.regions()[0]
    big, small = sorted(s for s, r in reference.location_region.items() if r == region)[:2]
    big_skills = {**{skill: 10 for skill in crowd}, rare: 3}
    delta = BatchDelta(
        postings=50,
        skills={**{skill: 10 for skill in crowd}, rare: 5},
        locations={big: 40, small: 10},
        location_skills={big: big_skills, small: {rare: 2}},
        last_event_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    assert apply_batch(redis_client(isolated_settings), isolated_settings.serving_namespace, "apptest", 0, delta)
    use_settings(monkeypatch, isolated_settings)
    at = run_app()

    at.multiselect(key="categories").set_value([rare_category]).run()
    assert not at.exception, [e.value for e in at.exception]
    top = charts(at, "bar")[0]
    assert top[["skill", "postings"]].values.tolist() == [[rare, 5]]
    heat = charts(at, "rect")[0]
    cells = {row.location: (row.postings, row.share_pct) for row in heat.itertuples()}
    assert cells == {
        reference.label(big): (3, pytest.approx(100 * 3 / 40)),
        reference.label(small): (2, pytest.approx(100 * 2 / 10)),
    }

    at.multiselect(key="regions").set_value([region]).run()  # place filter: summed over the region's locations
    assert not at.exception, [e.value for e in at.exception]
    assert charts(at, "bar")[0][["skill", "postings"]].values.tolist() == [[rare, 5]]
    at.multiselect(key="locations").set_value([big]).run()
    assert charts(at, "bar")[0][["skill", "postings"]].values.tolist() == [[rare, 3]]
    assert metric(at, "Postings processed (filtered)") == "40"


def test_a_refresh_reads_once_while_its_charts_need_the_same_counts(seeded, isolated_settings, reference):
    client, reads = redis_client(isolated_settings), []

    def read(request: views.LiveRead):
        reads.append(request)
        return read_snapshot(client, isolated_settings.serving_namespace, **request.snapshot_arguments())

    _, first = views.live_refresh(read, views.Filters(), reference, None)
    assert len(reads) == 2  # the first refresh learns which trend and heat-map counts its charts need
    reads.clear()
    snapshot, again = views.live_refresh(read, views.Filters(), reference, first.wanted)
    assert len(reads) == 1 and again.wanted == first.wanted
    places = seeded["places"]
    heat = {(row.location, row.skill): row.postings for row in again.heat.itertuples()}
    assert heat[(reference.label(places[0]), seeded["skills"][seeded["categories"][0]][0])] == 60

    partial = replace(snapshot, cells={places[0]: snapshot.cells[places[0]]})
    blank = views.heatmap_frame(partial, reference, first.wanted.heat_places, first.wanted.heat_skills)
    assert set(blank["location"]) == {reference.label(places[0])}  # a cell not read is left out, never 0


def test_empty_namespace_says_there_is_no_data_yet(isolated_settings, monkeypatch):
    use_settings(monkeypatch, isolated_settings)
    at = run_app()
    assert any("No postings yet" in i.value for i in at.info)
    assert not at.error


def test_unreachable_redis_is_a_clear_message_not_a_traceback(isolated_settings, monkeypatch):
    use_settings(monkeypatch, isolated_settings)
    monkeypatch.setenv("PULSE_REDIS_URL", "redis://127.0.0.1:1/0")
    at = run_app()
    assert any("Redis is not answering" in e.value and "pulse local up" in e.value for e in at.error)


@pytest.fixture
def lake(spark, isolated_settings):
    postings, quarantine = sample_lake_rows(date.today())
    write_lake(spark, isolated_settings, register_catalog(spark, isolated_settings), postings, quarantine)
    return postings, quarantine


def test_history_runs_every_query_over_iceberg_tables_in_the_s3_emulator(seeded, lake):
    postings, _ = lake
    at = run_app("History")
    notes = [c.value for c in at.caption if "DuckDB:" in c.value]
    assert len(notes) == 3 and all("scanned" in n for n in notes)  # weekly, rising, location comparison
    rising = next(d.value for d in at.dataframe if "share_change_pts" in d.value.columns)
    assert rising["skill"].iloc[0] == "Rust"
    compared = next(d.value for d in at.dataframe if "skill_share_pct" in d.value.columns)
    assert dict(zip(compared["location"], compared["postings"], strict=True)) == {
        loc: sum(p["location"] == loc for p in postings) for loc in {p["location"] for p in postings}
    }

    at.text_input(key="history_skill").input("Java").run()
    assert not at.exception
    examples = next(d.value for d in at.dataframe if "title" in d.value.columns)
    assert len(examples) > 0 and all("Java" in list(s) for s in examples["skills"])
    weekly = charts(at, "line")[-1]
    assert set(weekly["skill"]) == {"Java"}
    assert weekly["postings"].sum() == sum("Java" in p["skills"] for p in postings)


def test_history_asks_again_while_the_lake_is_empty(seeded, spark, isolated_settings):
    at = run_app("History")
    assert any("No postings in the lake" in i.value and "asks again every" in i.value for i in at.info)
    assert not at.dataframe
    assert at.session_state["history_waiting_for_the_lake"]  # the tab's queries now rerun on a timer

    postings, quarantine = sample_lake_rows(date.today())
    write_lake(spark, isolated_settings, register_catalog(spark, isolated_settings), postings, quarantine)
    at.run()  # the same session, well inside the 2-minute cache
    assert not at.exception, [e.value for e in at.exception]
    compared = next(d.value for d in at.dataframe if "skill_share_pct" in d.value.columns)
    assert compared["postings"].sum() == len(postings)
    assert not at.session_state["history_waiting_for_the_lake"]


def test_only_the_open_tab_runs(seeded, lake):
    live = run_app()
    assert metric(live, "Postings processed") == "120"
    assert not [c for c in live.caption if "DuckDB:" in c.value]
    history = run_app("History")
    assert not [m for m in history.metric if m.label.startswith("Postings processed")]
    assert [c for c in history.caption if "DuckDB:" in c.value]


def test_health_shows_batches_and_quarantine(seeded, lake):
    _, quarantine = lake
    at = run_app("Health")
    assert metric(at, "Last batch id") == "1"
    live_reasons = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    records_by_reason = dict(zip(live_reasons["reason"], live_reasons["records"], strict=True))
    assert records_by_reason == {"malformed_json": 3, "missing_field": 1}
    assert list(live_reasons["share_pct"]) == [75.0, 25.0]
    by_reason = next(d.value for d in at.dataframe if "reason_code" in d.value.columns and "records" in d.value.columns)
    assert by_reason["records"].sum() == len(quarantine)
    examples = next(d.value for d in at.dataframe if "raw_preview" in d.value.columns)
    assert "bad bytes" in " ".join(examples["raw_preview"])


def plotly_figures(at: AppTest) -> list[dict]:
    """The Plotly figures (the world map) as the browser receives them."""
    return [json.loads(element.proto.spec) for element in at.main if getattr(element, "type", None) == "plotly_chart"]


def test_world_map_shows_postings_per_city_and_a_chosen_skills_share(seeded, reference):
    at = run_app()
    [figure] = plotly_figures(at)
    [points] = figure["data"]
    cities = [slug for slug in seeded["places"] if slug in reference.location_point]
    assert cities, "the seeded places include a city"
    drawn = {(round(lat, 4), round(lon, 4)) for lat, lon in zip(points["lat"], points["lon"], strict=True)}
    assert {tuple(round(c, 4) for c in reference.location_point[slug]) for slug in cities} <= drawn
    assert len(points["lat"]) == len(cities)  # remote and country-level places are not points
    assert figure["layout"]["geo"]["showland"] and not figure["layout"]["geo"]["showocean"]

    skill = seeded["skills"][seeded["categories"][0]][0]
    at.selectbox(key="map_skill").set_value(skill).run()
    assert not at.exception, [e.value for e in at.exception]
    [points] = plotly_figures(at)[0]["data"]
    first = seeded["places"][0]
    first_lat = round(reference.location_point[first][0], 4)
    at_first = [i for i, lat in enumerate(points["lat"]) if round(lat, 4) == first_lat]
    assert [points["marker"]["color"][i] for i in at_first] == [75.0]  # 60 of its 80 postings, one decimal


@pytest.fixture
def two_region_lake(spark, isolated_settings):
    """Berlin (europe) asks for Python and SQL, New York (north-america) for Java and AWS, for three weeks."""
    from lake_samples import posting

    rows = []
    for days_ago in range(21):
        day = date.today() - timedelta(days=days_ago)
        for n in range(3):
            rows.append(
                posting(
                    f"b-{days_ago}-{n}", day, "berlin-de", ["Python", "SQL"] + (["Rust"] if n else []), region="europe"
                )
            )
            rows.append(posting(f"n-{days_ago}-{n}", day, "new-york-us", ["Java", "AWS"], region="north-america"))
    write_lake(spark, isolated_settings, register_catalog(spark, isolated_settings), rows, [])
    return rows


def history_tables(at: AppTest) -> dict[str, pd.DataFrame]:
    tables = {}
    for frame in (d.value for d in at.dataframe):
        name = (
            "rising"
            if "share_change_pts" in frame.columns
            else "comparison"
            if "skill_share_pct" in frame.columns
            else "examples"
            if "title" in frame.columns
            else "other"
        )
        tables[name] = frame
    return tables


def test_history_honours_every_sidebar_filter(seeded, two_region_lake, reference):
    at = run_app("History")
    assert set(history_tables(at)["comparison"]["location"]) == {"berlin-de", "new-york-us"}

    at.multiselect(key="regions").set_value(["north-america"]).run()
    assert not at.exception, [e.value for e in at.exception]
    tables = history_tables(at)
    assert set(tables["comparison"]["location"]) == {"new-york-us"}
    assert set(charts(at, "line")[-1]["skill"]) == {"Java", "AWS"}
    assert set(tables["rising"]["skill"]) <= {"Java", "AWS"}

    at.multiselect(key="regions").set_value([]).run()
    at.multiselect(key="locations").set_value(["berlin-de"]).run()
    assert set(history_tables(at)["comparison"]["location"]) == {"berlin-de"}
    assert set(charts(at, "line")[-1]["skill"]) == {"Python", "SQL", "Rust"}

    language = reference.skill_category["Python"]
    at.multiselect(key="locations").set_value([]).run()
    at.multiselect(key="categories").set_value([language]).run()
    assert not at.exception, [e.value for e in at.exception]
    weekly = charts(at, "line")[-1]
    assert set(weekly["skill"]) and {reference.skill_category[s] for s in weekly["skill"]} == {language}
    rising = history_tables(at)["rising"]
    assert {reference.skill_category[s] for s in rising["skill"]} <= {language}
    assert list(rising["rank"]) == list(range(1, len(rising) + 1))
    assert any("category narrows weekly demand and rising skills" in c.value for c in at.sidebar.caption)


def test_history_shares_are_rounded_to_one_decimal(seeded, two_region_lake):
    at = run_app("History")
    at.text_input(key="history_skill").input("Rust").run()
    comparison = history_tables(at)["comparison"]
    berlin = comparison[comparison["location"] == "berlin-de"].iloc[0]
    assert berlin["skill_share_pct"] == 66.7  # 2 of 3 postings
    for frame in history_tables(at).values():
        for column in (c for c in frame.columns if c.endswith(("_pct", "_pts"))):
            assert all(value is None or pd.isna(value) or value == round(value, 1) for value in frame[column])
    weekly = charts(at, "line")[-1]
    assert all(value == round(value, 1) for value in weekly["share_pct"])
