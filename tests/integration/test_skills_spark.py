"""The Spark path (`with_skills`) agrees with the pure-Python matcher, in batch and in foreachBatch."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml
from pyspark.sql import functions as F

from talent_pulse.skills import default_matcher
from talent_pulse.skills.spark import with_skills

pytestmark = pytest.mark.integration

TESTS = Path(__file__).resolve().parents[1]
CASES = yaml.safe_load((TESTS / "unit" / "skill_cases.yaml").read_text("utf-8"))


def _synthetic_postings(count: int) -> list[dict]:
    """The benchmark's seeded generator (one definition of the synthetic postings)."""
    spec = importlib.util.spec_from_file_location("bench_skills", TESTS / "bench" / "bench_skills.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic_postings(count, seed=20261129)


def _spark_skills(spark, rows: list[tuple], text_cols=("title", "description")) -> dict:
    df = spark.createDataFrame(rows, "id long, title string, description string")
    return {row["id"]: list(row["skills"]) for row in with_skills(df, text_cols).select("id", "skills").collect()}


def test_labelled_cases_agree_with_python_and_labels(spark):
    rows = [(index, None, case["text"]) for index, case in enumerate(CASES)]
    got = _spark_skills(spark, rows)
    assert [got[index] for index in range(len(CASES))] == [sorted(case["skills"]) for case in CASES]


def test_title_and_description_are_joined_like_python_callers(spark):
    rows = [(1, "Go Developer", "Kubernetes"), (2, None, None), (3, "Senior Engineer", None),
            (4, None, "Rust and Go"), (5, "Sous Chef", "Spark joy")]
    matcher = default_matcher()
    expected = {row[0]: matcher.extract("\n".join(part for part in row[1:] if part is not None)) for row in rows}
    got = _spark_skills(spark, rows)
    assert got == expected
    assert got[1] == ["Go", "Kubernetes"] and got[2] == [] and got[5] == []


def test_ten_thousand_generated_postings_agree(spark):
    postings = _synthetic_postings(10_000)
    rows = [(p["id"], p["title"], p["description"]) for p in postings]
    got = _spark_skills(spark, rows)
    matcher = default_matcher()
    python = matcher.extract_many([p["title"] + "\n" + p["description"] for p in postings])
    mismatches = [p["id"] for p, skills in zip(postings, python) if got[p["id"]] != skills]
    assert mismatches == []
    missed = [p["id"] for p, skills in zip(postings, python) if not set(p["expected"]) <= set(skills)]
    assert missed == []
    assert sum(map(len, python)) > 10_000  # the generated postings do carry skills


def test_output_column_type_and_custom_columns(spark):
    df = spark.createDataFrame([("a", "Terraform on AWS")], "job string, body string")
    out = with_skills(df, text_cols=("body",), out_col="tech")
    assert out.schema["tech"].dataType.simpleString() == "array<string>"
    assert out.select("tech").first()["tech"] == ["AWS", "Terraform"]
    with pytest.raises(ValueError, match=r"column\(s\) \['title', 'description'\] not in the DataFrame \(has \['job', 'body'\]\)"):
        with_skills(df)


def test_with_skills_inside_foreach_batch(spark, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    for index, text in enumerate(["Python and Kafka", "Registered nurse", "C# .NET 8"]):
        (source / f"{index}.json").write_text(f'{{"id": {index}, "title": "Engineer", "description": "{text}"}}\n')
    collected: list = []

    def sink(batch_df, batch_id):
        collected.extend(with_skills(batch_df).select("id", "skills").collect())

    stream = (spark.readStream.schema("id long, title string, description string").json(str(source))
              .writeStream.foreachBatch(sink).option("checkpointLocation", str(tmp_path / "ckpt"))
              .trigger(availableNow=True).start())
    stream.awaitTermination(120)
    assert stream.exception() is None
    assert sorted((row["id"], list(row["skills"])) for row in collected) == [
        (0, ["Apache Kafka", "Python"]), (1, []), (2, [".NET", "C#"])]


def test_groupby_location_skill_counts_match_python(spark):
    postings = _synthetic_postings(2_000)
    df = spark.createDataFrame([(p["id"], p["title"], p["description"], p["location"]) for p in postings],
                               "id long, title string, description string, location string")
    counted = {(row["location"], row["skill"]): row["count"] for row in
               with_skills(df).select("location", F.explode("skills").alias("skill"))
               .groupBy("location", "skill").count().collect()}
    expected: dict = {}
    for p in postings:
        for skill in default_matcher().extract(p["title"] + "\n" + p["description"]):
            expected[(p["location"], skill)] = expected.get((p["location"], skill), 0) + 1
    assert counted == expected
