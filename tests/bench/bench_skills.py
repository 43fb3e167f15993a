"""Skill extraction + groupBy(location, skill) throughput on a local[2] Spark session.

Generates ~1 KB synthetic postings from the taxonomy (seeded), caches them,
then times, in the same run:

- ours: `with_skills` (the JVM UDF over the broadcast tables, full taxonomy);
- the same Python matcher run in Spark through `mapInArrow` (our previous
  Spark path: each posting goes to a Python worker and back);
- reference, 10 skills: a plain Python UDF looping `skill in text.lower()`
  over the reference design's 10 lowercase skills;
- reference, full list: the same loop over every canonical name and alias.

The job is extraction -> explode -> groupBy(location, skill).count() ->
collect, so all postings are processed. Each approach runs it --runs times
(default 6): "cold" is the first run (Python workers starting, JVM code not
yet compiled), "warm" the median of the last 3, which is what a stream that
has been running a while sees (the JVM takes a few hundred thousand postings
to compile the hot code and settle its garbage collector). Also prints pure-Python matcher
speed on one core. Target: ours >= 60k postings/s on 2 cores.

On a shared machine wall time says as much about the neighbours as about the job, and the
Python approaches get a larger share of a busy machine (more processes to schedule), so each
run also reads the CPU time of the Spark JVM and its Python workers from /proc: "warm
postings/CPU-s" is postings per CPU-second spent, the fair comparison under load.

    python tests/bench/bench_skills.py [--postings 200000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame

from talent_pulse.jvm_build import skill_matcher_jar
from talent_pulse.settings import Settings
from talent_pulse.skills import default_matcher, load_taxonomy

LOCATIONS = ("london", "berlin", "new-york", "bangalore", "sao-paulo", "remote", "toronto", "sydney")
TECH_TITLES = (
    "Senior {0} Engineer",
    "{0} Developer",
    "Data Engineer ({0})",
    "Backend Engineer - {0}",
    "Staff Software Engineer, {0}",
    "{0} / {1} Developer",
)
OTHER_TITLES = (
    "Registered Nurse",
    "Sous Chef",
    "Sales Executive",
    "Warehouse Associate",
    "Store Manager",
    "Account Manager",
    "HR Business Partner",
    "Delivery Driver",
)
FILLER = (
    "We go the extra mile for customers and react quickly to change.",
    "You will own our go-to-market plan and spark new ideas across the business.",
    "Our R&D team values swift decisions, a rust-free fleet and a spring in your step.",
    "Benefits include a pension, 25 days of holiday, private health care and a cycle-to-work scheme.",
    "Grade C or above in English and maths; vitamin C and coffee in the kitchen.",
    "The Head Chef runs the pass; the Sous Chef leads prep and the line cooks.",
    "We are an equal opportunity employer and welcome applicants from every background.",
    "Work with stakeholders to deliver measurable outcomes in a fast-paced environment.",
)
TECH_CONTEXT = (
    "Hands-on experience with {0} in production.",
    "You have shipped production systems with {0}.",
    "Our stack: {0} and {1}.",
    "Strong {0} skills; {1} is a plus.",
    "#{0} #{1}",
    "- {0} ({1})",
    "Proficiency in {0}, {1}.",
)
WARM_RUNS = 3  # "warm" is the median of the last runs
PROC = Path("/proc")
REFERENCE_SKILLS = ("python", "java", "sql", "aws", "spark", "kafka", "react", "docker", "kubernetes", "go")


def synthetic_postings(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Postings of ~1 KB: a third non-tech, the rest mixing safe skill forms, ambiguous forms in a
    technical context and tricky English. `expected` lists the skills written with a safe form."""
    rng = random.Random(seed)
    skills = load_taxonomy().skills
    postings = []
    for index in range(count):
        parts: list[str] = []
        expected: set[str] = set()
        tech = rng.random() > 0.33
        if tech:
            forms = []
            for skill in rng.sample(skills, rng.randint(2, 7)):
                if skill.safe_forms and rng.random() > 0.2:
                    form = rng.choice(skill.safe_forms)
                    form = rng.choice((form, form.upper(), form.lower()))
                    expected.add(skill.name)
                else:
                    form = rng.choice(skill.ambiguous or skill.safe_forms) + " developer"
                forms.append(form)
            title = rng.choice(TECH_TITLES).format(forms[0], forms[-1])
            parts.extend(rng.choice(TECH_CONTEXT).format(form, rng.choice(forms)) for form in forms)
            while sum(map(len, parts)) < 800:
                parts.append(rng.choice(FILLER))
            rng.shuffle(parts)
        else:
            title = rng.choice(OTHER_TITLES)
            while sum(map(len, parts)) < 800:
                parts.append(rng.choice(FILLER))
        postings.append(
            {
                "id": index,
                "title": title,
                "description": " ".join(parts),
                "location": rng.choice(LOCATIONS),
                "expected": sorted(expected),
            }
        )
    return postings


def reference_udf(skill_list: Sequence[str]) -> Callable[[Column], Column]:
    from pyspark.sql.functions import udf
    from pyspark.sql.types import ArrayType, StringType

    lowered = tuple(skill.lower() for skill in skill_list)

    @udf(ArrayType(StringType()))
    def extract(text: str | None) -> list[str]:
        if text is None:
            return []
        text = text.lower()
        return [skill for skill in lowered if skill in text]

    return extract


def python_matcher_in_arrow(df: DataFrame, text_cols: Sequence[str] = ("title", "description")) -> DataFrame:
    """The Python matcher in Spark via mapInArrow: the comparison that shows what the JVM path saves."""
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    schema = StructType([*df.schema.fields, StructField("skills", ArrayType(StringType()))])

    def add_skills(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        matcher = default_matcher()
        for batch in batches:
            columns = [batch.column(name).to_pylist() for name in text_cols]
            texts = ["\n".join(part for part in parts if part is not None) for parts in zip(*columns, strict=True)]
            skills = pa.array(matcher.extract_many(texts), type=pa.list_(pa.string()))
            yield pa.RecordBatch.from_arrays([*batch.columns, skills], names=schema.names)

    return df.mapInArrow(add_skills, schema)


def process_tree_cpu_seconds(root: int) -> float:
    """CPU seconds spent so far by process `root` and its descendants (Linux /proc; reaped children count)."""
    parents, spent = {}, {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            parents[int(entry.name)] = int(fields[1])
            spent[int(entry.name)] = sum(int(ticks) for ticks in fields[11:15])  # utime stime cutime cstime
    tree = {root}
    while grown := {pid for pid, parent in parents.items() if parent in tree} - tree:
        tree |= grown
    return sum(spent.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def count_skills(df: DataFrame) -> DataFrame:
    """The benchmarked job: postings per (location, skill)."""
    from pyspark.sql import functions as F

    return df.select("location", F.explode("skills").alias("skill")).groupBy("location", "skill").count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=200_000)
    parser.add_argument("--distinct", type=int, default=5_000, help="distinct generated texts, repeated")
    parser.add_argument("--runs", type=int, default=6, help="times each approach runs the job (the first is cold)")
    parser.add_argument(
        "--full-reference-postings",
        type=int,
        default=20_000,
        help="rows for the full-list reference (~250 postings/s: 200k would take ~15 min)",
    )
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", "python3")
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from talent_pulse.skills.spark import joined_text, with_skills

    pool = synthetic_postings(min(args.distinct, args.postings))
    matcher = default_matcher()
    texts = [p["title"] + "\n" + p["description"] for p in pool]
    started = time.perf_counter()
    matcher.extract_many(texts)
    python_rate = len(texts) / (time.perf_counter() - started)

    jar = skill_matcher_jar(Path(Settings.from_env().cache_dir))
    # Driver memory as `pulse stream` gives the streaming job: at the 1g default, the cached postings
    # leave so little heap that garbage collection, not matching, sets the pace.
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("bench-skills")
        .config("spark.jars", str(jar))
        .config("spark.driver.memory", "2g")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    pool_df = spark.createDataFrame(
        [(i, p["title"], p["description"], p["location"]) for i, p in enumerate(pool)],
        "pid long, title string, description string, location string",
    )
    postings = (
        spark.range(args.postings)
        .withColumn("pid", F.col("id") % len(pool))
        .join(F.broadcast(pool_df), "pid")
        .drop("pid")
        .repartition(4)
        .cache()
    )
    count = postings.count()
    mean_bytes = sum(len(t.encode()) for t in texts) / len(texts)

    all_forms = sorted(
        {form for skill in load_taxonomy().skills for form in (skill.name, *skill.aliases, *skill.ambiguous)}
    )
    jobs = [
        ("ours: JVM UDF, broadcast tables", f"{len(load_taxonomy().skills)} skills", with_skills(postings)),
        (
            "same matcher in Python, mapInArrow",
            f"{len(load_taxonomy().skills)} skills",
            python_matcher_in_arrow(postings),
        ),
        (
            "reference: Python UDF substring loop",
            "10 skills",
            postings.withColumn("skills", reference_udf(REFERENCE_SKILLS)(joined_text(("title", "description")))),
        ),
        (
            "reference: Python UDF substring loop",
            f"{len(all_forms)} forms",
            postings.limit(min(count, args.full_reference_postings))
            .repartition(4)
            .withColumn("skills", reference_udf(all_forms)(joined_text(("title", "description")))),
        ),
    ]
    print(
        f"{count} postings, mean {mean_bytes:.0f} bytes, local[2]; pure-Python matcher on one core: "
        f"{python_rate:,.0f} postings/s"
    )
    jvm_pid = spark.sparkContext._gateway.proc.pid  # type: ignore[union-attr]  # py4j's launcher process
    print(
        f"{'approach':38} {'taxonomy':>11} {'postings':>9} {'cold s':>7} {'warm s':>7} "
        f"{'cold postings/s':>16} {'warm postings/s':>16} {'warm postings/CPU-s':>20} "
        f"{'(location, skill) rows':>23}"
    )
    for label, size, df in jobs:
        rows_in = df.count()
        seconds, cpu_seconds = [], []
        for _ in range(args.runs):
            started, cpu_before = time.perf_counter(), process_tree_cpu_seconds(jvm_pid)
            rows = count_skills(df).collect()
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(process_tree_cpu_seconds(jvm_pid) - cpu_before)
        warm, warm_cpu = (
            statistics.median(values[-WARM_RUNS:]) if len(values) > WARM_RUNS else min(values)
            for values in (seconds, cpu_seconds)
        )
        print(
            f"{label:38} {size:>11} {rows_in:>9} {seconds[0]:7.2f} {warm:7.2f} "
            f"{rows_in / seconds[0]:16,.0f} {rows_in / warm:16,.0f} {rows_in / warm_cpu:20,.0f} {len(rows):>23}"
        )
    print(f"load average (1, 5, 15 min): {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    spark.stop()


if __name__ == "__main__":
    main()
