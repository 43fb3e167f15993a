"""Lake benchmark: a weekly_demand query over the Iceberg tables before and after `pulse lake maintain`.

Writes `--rows` postings into a fresh postings table on the S3 emulator in `--commits`
appends (each one like a cold-path micro-batch: every location, events spread over
`--days` days), then times the named query `weekly_demand` in DuckDB (as the dashboard
and `pulse query` run it) over the small files, compacts with the maintenance code,
and times it again. Prints files per (day, location) before and after, and the
commit latency of the appends. A script, not a test: numbers vary with the machine.

    python tests/bench/bench_lake.py --rows 1000000 --commits 60
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from talent_pulse.gazetteer import location_slugs  # noqa: E402
from talent_pulse.jvm_build import streaming_job_jars  # noqa: E402
from talent_pulse.lake.catalog import ensure_tables, table_name  # noqa: E402
from talent_pulse.lake.maintenance import files_per_partition, maintain_table  # noqa: E402
from talent_pulse.lake.session import lake_session  # noqa: E402
from talent_pulse.local_stack.supervisor import local_environment  # noqa: E402
from talent_pulse.queries import DuckDBBackend, run_named  # noqa: E402
from talent_pulse.settings import Settings  # noqa: E402
from talent_pulse.skills import load_taxonomy  # noqa: E402
from talent_pulse.tables import postings_table  # noqa: E402


def generated_rows(spark, rows: int, days: int, commit: int, locations: list[str], skills: list[str]):
    """`rows` postings in the table's shape, made by Spark SQL (no Python per row)."""
    from pyspark.sql import functions as F

    from talent_pulse.stream.schema import table_schema

    location_array = F.array(*[F.lit(s) for s in locations])
    skill_array = F.array(*[F.lit(s) for s in skills])
    frame = (
        spark.range(rows)
        .withColumn("seed", F.xxhash64("id", F.lit(commit)))
        .select(
            F.concat(F.lit(f"bench-{commit}-"), F.col("id")).alias("event_id"),
            (F.current_timestamp() - F.make_interval(secs=(F.abs(F.col("seed")) % (days * 86400)).cast("int"))).alias(
                "event_time"
            ),
            F.lit("bench").alias("source"),
            F.col("id").cast("string").alias("job_id"),
            F.lit("Engineer").alias("title"),
            F.lit("Acme").alias("company"),
            F.lit("somewhere").alias("location_raw"),
            F.lit(None).cast("string").alias("city"),
            F.lit(None).cast("string").alias("country"),
            F.lit("Europe").alias("region"),
            F.element_at(location_array, (F.abs(F.col("seed")) % len(locations) + 1).cast("int")).alias("location"),
            F.lit("text").alias("description"),
            (F.col("seed") % 3 == 0).alias("remote"),
            F.lit("mid").alias("seniority"),
            F.lit(None).cast("double").alias("salary_min"),
            F.lit(None).cast("double").alias("salary_max"),
            F.lit(None).cast("string").alias("salary_currency"),
            F.array_sort(
                F.array_distinct(
                    F.array(
                        *[
                            F.element_at(
                                skill_array, (F.abs(F.xxhash64("seed", F.lit(k))) % len(skills) + 1).cast("int")
                            )
                            for k in range(4)
                        ]
                    )
                )
            ).alias("skills"),
            F.lit(0).alias("kafka_partition"),
            F.col("id").alias("kafka_offset"),
            F.lit(commit).cast("long").alias("batch_id"),
            F.current_timestamp().alias("ingested_at"),
        )
    )
    schema = table_schema(postings_table())
    return frame.select([F.col(f.name).cast(f.dataType) for f in schema.fields])


def time_weekly_demand(settings: Settings, runs: int = 3) -> tuple[float, int, int]:
    backend = DuckDBBackend(settings)
    try:
        timings, rows, scanned = [], 0, 0
        for _ in range(runs):
            result = run_named(backend, "weekly_demand", {"since": "-84d"})
            timings.append(result.elapsed_seconds)
            rows, scanned = len(result.rows), result.bytes_scanned or 0
        return statistics.median(timings), rows, scanned
    finally:
        backend.close()


def describe(files: dict) -> str:
    counts = sorted(files.values())
    return (
        f"{sum(counts)} files in {len(counts)} (day, location) partitions: median {statistics.median(counts):g}, "
        f"max {counts[-1]} per partition"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--commits", type=int, default=60)
    parser.add_argument("--days", type=int, default=2, help="event times spread over this many days back")
    parser.add_argument("--locations", type=int, default=60, help="how many gazetteer locations the rows use")
    args = parser.parse_args()

    os.environ.update(local_environment(Settings.from_env()))
    name = f"bench-lake-{uuid.uuid4().hex[:8]}"
    base = Settings.from_env()
    settings = Settings.from_env(
        lake_uri=f"s3://talent-pulse-local/bench/{name}/lake",
        lake_catalog_uri=f"jdbc:sqlite:{Path(base.data_dir).resolve() / 'bench' / name / 'catalog.db'}",
        lake_retain_snapshots=2,
        lake_snapshot_max_age_hours=0,
        lake_orphan_min_age_hours=0,
    )
    spark = lake_session(settings, streaming_job_jars(Path(settings.cache_dir)), master="local[2]")
    spark.sparkContext.setLogLevel("ERROR")
    ensure_tables(spark, settings)
    table = table_name(settings, postings_table())
    locations = sorted(location_slugs())[: args.locations]
    skills = sorted(skill.name for skill in load_taxonomy().skills)

    per_commit = args.rows // args.commits
    latencies = []
    for commit in range(args.commits):
        rows = generated_rows(spark, per_commit, args.days, commit, locations, skills).cache()
        rows.count()
        started = time.perf_counter()
        rows.writeTo(table).append()
        latencies.append(time.perf_counter() - started)
        rows.unpersist()
    total = spark.table(table).count()
    print(
        f"{total} postings in {args.commits} appends of {per_commit}; append (write + commit) "
        f"median {statistics.median(latencies):.2f}s, max {max(latencies):.2f}s"
    )

    before = files_per_partition(spark, table)
    seconds, rows, scanned = time_weekly_demand(settings)
    print(f"reference, before maintain (the small files a stream leaves): {describe(before)}")
    print(f"  weekly_demand (DuckDB, median of 3): {seconds:.2f}s, {rows} rows, {scanned / 1e6:.1f} MB read")

    report = maintain_table(spark, settings, postings_table())
    print(f"maintain: {report.summary()}")
    print(f"after maintain: {describe(report.files_after)}")
    seconds_after, rows_after, scanned_after = time_weekly_demand(settings)
    print(
        f"  weekly_demand (DuckDB, median of 3): {seconds_after:.2f}s, {rows_after} rows, "
        f"{scanned_after / 1e6:.1f} MB read"
    )
    print(f"speed-up from compaction: {seconds / seconds_after:.1f}x")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
