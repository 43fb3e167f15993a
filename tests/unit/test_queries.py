"""History queries on DuckDB over small Iceberg tables (SQLite catalog, warehouse in a local folder)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from lake_samples import register_catalog, sample_lake_rows, write_lake

from talent_pulse.queries import (
    DuckDBBackend,
    QueryError,
    athena_literal,
    bind_params,
    named_queries,
    run_named,
)
from talent_pulse.settings import Settings

TODAY = date(2026, 11, 28)


def folder_lake(root) -> Settings:
    return Settings(lake_uri=str(root / "warehouse"), lake_catalog_uri=f"jdbc:sqlite:{root / 'catalog.db'}")


@pytest.fixture(scope="module")
def lake(spark, tmp_path_factory):
    settings = folder_lake(tmp_path_factory.mktemp("lake"))
    catalog = register_catalog(spark, settings)
    postings, quarantine = sample_lake_rows(TODAY)
    write_lake(spark, settings, catalog, postings, quarantine)
    backend = DuckDBBackend(settings)
    yield backend, postings, quarantine
    backend.close()


def test_every_named_query_runs_and_reports_time_and_bytes(lake):
    backend, _, _ = lake
    for name in named_queries():
        result = run_named(backend, name, {"skill": "Python"} if name == "skill_examples" else {}, today=TODAY)
        assert result.columns, name
        assert result.elapsed_seconds >= 0
        assert "DuckDB" in result.note and " s" in result.note


def test_weekly_demand_matches_the_rows(lake):
    backend, postings, _ = lake
    result = run_named(backend, "weekly_demand", {"skill": "Rust", "since": "-84d"}, today=TODAY)
    expected = Counter()
    for p in postings:
        if "Rust" in p["skills"]:
            week = p["event_time"].date() - timedelta(days=p["event_time"].weekday())
            expected[week] += 1
    got = {r["week"]: r["postings"] for r in result.records()}
    assert got == dict(expected)
    assert {r["skill"] for r in result.records()} == {"Rust"}


def test_weekly_demand_top_skills_ranks_by_mentions(lake):
    backend, postings, _ = lake
    result = run_named(backend, "weekly_demand", {"top": 2}, today=TODAY)
    mentions = Counter(s for p in postings for s in p["skills"])
    assert {r["skill"] for r in result.records()} == {s for s, _ in mentions.most_common(2)}


def test_rising_skills_puts_the_new_skill_first(lake):
    backend, _, _ = lake
    rows = run_named(backend, "rising_skills", {"recent_since": "-6d", "baseline_since": "-20d"}, today=TODAY).records()
    assert rows[0]["skill"] == "Rust" and rows[0]["baseline_postings"] == 0
    java = next(r for r in rows if r["skill"] == "Java")
    assert java["share_change_pts"] < 0


def test_location_comparison_counts_per_location(lake):
    backend, postings, _ = lake
    rows = {
        r["location"]: r
        for r in run_named(backend, "location_comparison", {"skill": "Java", "since": "-84d"}, today=TODAY).records()
    }
    for location in ("berlin", "london"):
        mine = [p for p in postings if p["location"] == location]
        assert rows[location]["postings"] == len(mine)
        assert rows[location]["skill_postings"] == sum("Java" in p["skills"] for p in mine)
    assert rows["london"]["skill_share_pct"] == 50.0
    assert rows["london"]["avg_salary_mid"] == 80000.0


def test_no_skill_means_no_skill_counts_and_no_examples(lake):
    backend, _, _ = lake
    rows = run_named(backend, "location_comparison", {"since": "-84d"}, today=TODAY).records()
    assert rows and all(r["skill_postings"] == 0 for r in rows)
    assert run_named(backend, "skill_examples", {}, today=TODAY).rows == []


def test_skill_examples_filters_by_skill_and_location(lake):
    backend, _, _ = lake
    rows = run_named(backend, "skill_examples", {"skill": "Java", "location": "london"}, today=TODAY).records()
    assert rows and all(r["location"] == "london" and "Java" in r["skills"] for r in rows)
    assert [r["event_time"] for r in rows] == sorted((r["event_time"] for r in rows), reverse=True)


def test_quarantine_counts_and_previews_non_utf8_bytes(lake):
    backend, _, quarantine = lake
    counts = {r["reason_code"]: r["records"] for r in run_named(backend, "quarantine_by_reason", today=TODAY).records()}
    assert counts == dict(Counter(q["reason_code"] for q in quarantine))
    examples = run_named(backend, "quarantine_examples", {"reason_code": "not_utf8"}, today=TODAY).records()
    assert len(examples) == 1 and "bad bytes" in examples[0]["raw_preview"]


def test_user_input_is_bound_not_pasted(lake):
    backend, _, _ = lake
    with pytest.raises(QueryError, match="letters, digits"):
        run_named(backend, "skill_examples", {"skill": "x' OR '1'='1"}, today=TODAY)
    assert run_named(backend, "skill_examples", {"skill": "C++ (legacy)"}, today=TODAY).rows == []


def test_parameter_errors_say_what_is_expected():
    query = named_queries()["weekly_demand"]
    with pytest.raises(QueryError, match="no parameter colour"):
        bind_params(query, {"colour": "red"})
    with pytest.raises(QueryError, match="yyyy-MM-dd"):
        bind_params(query, {"since": "last tuesday"})
    with pytest.raises(QueryError, match="whole number"):
        bind_params(query, {"top": "many"})
    assert bind_params(query, {"since": "-7d"}, today=TODAY)[0] == "2026-11-21"


def test_empty_lake_gives_empty_results_not_errors(tmp_path):
    backend = DuckDBBackend(folder_lake(tmp_path / "nothing-yet"))
    try:
        assert run_named(backend, "weekly_demand", today=TODAY).rows == []
        assert run_named(backend, "quarantine_by_reason", today=TODAY).rows == []
    finally:
        backend.close()


def test_bad_sql_is_a_query_error(lake):
    backend, _, _ = lake
    with pytest.raises(QueryError, match="DuckDB"):
        backend.run_sql("SELECT no_such_column FROM postings")


def test_athena_parameters_are_typed_literals():
    assert athena_literal("O'Reilly") == "'O''Reilly'"
    assert athena_literal(7) == "7"
    with pytest.raises(QueryError):
        athena_literal(1.5)


def test_every_query_binds_one_declared_parameter_per_placeholder():
    for query in named_queries().values():
        assert query.sql.count("?") == len(query.bind)
        assert set(query.bind) <= {p.name for p in query.params}
