"""The Iceberg lake tables on a real local Spark session: DDL from tables.json, exactly-once appends, maintenance.

The catalog is the local one (Iceberg's JDBC catalog on a SQLite file); the warehouse is a local folder, so
these run without the S3 emulator (the integration tests cover S3FileIO).
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import date, timedelta

import pytest
from lake_samples import append_rows, posting, register_catalog

from talent_pulse.lake.catalog import metadata_location, spark_conf, table_name
from talent_pulse.lake.maintenance import files_per_partition, maintain_table
from talent_pulse.lake.writer import BATCH_ID_PROPERTY, BatchAppender, last_committed_batch, load_iceberg_table
from talent_pulse.settings import Settings
from talent_pulse.stream.schema import table_schema
from talent_pulse.tables import load_tables, postings_table

DAY = date(2026, 11, 20)
PLACES = ("berlin-de", "london-gb", "paris-fr")


@pytest.fixture
def lake(spark, tmp_path):
    settings = Settings(
        lake_uri=str(tmp_path / "warehouse"),
        lake_catalog_uri=f"jdbc:sqlite:{tmp_path / 'c.db'}",
        lake_target_file_mb=64,
        lake_retain_snapshots=2,
        lake_snapshot_max_age_hours=0,
        lake_orphan_min_age_hours=0,
    )
    return settings, register_catalog(spark, settings)


def _rows(spark, start: int, count: int, days: int = 2):
    rows = [
        posting(f"e{n}", DAY + timedelta(days=n % days), PLACES[n % len(PLACES)], ["Python"])
        for n in range(start, start + count)
    ]
    table = postings_table()
    return spark.createDataFrame([tuple(r[c] for c in table.column_names) for r in rows], table_schema(table))


def test_tables_are_created_from_tables_json(spark, lake):
    settings, catalog = lake
    for table in load_tables().values():
        iceberg = load_iceberg_table(spark, table_name(settings, table, catalog))
        assert [f.name() for f in iceberg.schema().columns()] == list(table.column_names)
        assert [
            (iceberg.schema().findColumnName(f.sourceId()), f.transform().toString()) for f in iceberg.spec().fields()
        ] == [(p.column, p.transform) for p in table.partitioning]
        assert iceberg.operations().current().formatVersion() == 2
        written = spark.table(table_name(settings, table, catalog)).schema
        assert [(f.name, f.dataType) for f in written] == [(f.name, f.dataType) for f in table_schema(table)]


def test_a_batch_is_appended_once_across_restarts_and_compactions(spark, lake):
    settings, catalog = lake
    name = table_name(settings, postings_table(), catalog)
    writer = BatchAppender(spark, postings_table(), name)
    assert writer.append(_rows(spark, 0, 30), "query-a", 0) == 6  # one file per (day, location)
    assert writer.append(_rows(spark, 0, 30), "query-a", 0) == 0  # replay in the same process
    assert BatchAppender(spark, postings_table(), name).append(_rows(spark, 30, 30), "query-a", 1) == 6
    # A new driver looks the last batch up in the snapshot chain.
    restarted = BatchAppender(spark, postings_table(), name)
    assert restarted.append(_rows(spark, 30, 30), "query-a", 1) == 0
    spark.sql(
        f"CALL {catalog}.system.rewrite_data_files(table => '{name.split('.', 1)[1]}', "
        "options => map('min-input-files', '2'))"
    ).collect()
    spark.sql(
        f"CALL {catalog}.system.expire_snapshots(table => '{name.split('.', 1)[1]}', "
        "older_than => current_timestamp(), retain_last => 2)"
    ).collect()
    assert last_committed_batch(spark, name, "query-a") == 1  # walked past the compaction's snapshot
    assert BatchAppender(spark, postings_table(), name).append(_rows(spark, 30, 30), "query-a", 1) == 0
    other_query = BatchAppender(spark, postings_table(), name)
    assert other_query.append(_rows(spark, 60, 5), "query-b", 1) > 0  # another query is not fenced
    assert writer.append(_rows(spark, 0, 0), "query-a", 7) == 0  # nothing to write: no empty snapshot
    ids = [r.event_id for r in spark.table(name).collect()]
    assert sorted(ids) == sorted(f"e{n}" for n in range(65))
    summaries = spark.sql(f"SELECT summary FROM {name}.snapshots").collect()
    assert sum(1 for s in summaries if s.summary.get(BATCH_ID_PROPERTY) == "7") == 0


def _append_batch(spark, settings, catalog, batch: int) -> None:
    append_rows(
        spark,
        settings,
        catalog,
        postings_table(),
        [posting(f"m{batch}-{n}", DAY + timedelta(days=n % 2), PLACES[n % 3], ["SQL"]) for n in range(12)],
    )


def test_maintenance_leaves_one_file_per_day_and_location_and_removes_orphans(spark, lake, tmp_path):
    settings, catalog = lake
    name = table_name(settings, postings_table(), catalog)
    for batch in range(4):
        _append_batch(spark, settings, catalog, batch)
    before = files_per_partition(spark, name)
    assert len(before) == 6 and set(before.values()) == {4}
    data_dir = next(tmp_path.rglob("warehouse/*/postings/data"))
    orphan = data_dir / "orphan-from-a-skipped-replay.parquet"
    orphan.write_bytes(b"PAR1")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    report = maintain_table(spark, settings, postings_table(), catalog)
    assert report.files_before == before
    assert report.files_after == {key: 1 for key in before}
    assert (report.rewritten_files, report.added_files) == (24, 6)
    assert report.orphan_files_removed == 1 and not orphan.exists()
    assert spark.table(name).count() == 48
    # The last append before the compaction is retained (two snapshots at least), and it still references the
    # small files; once a later run expires it, they are deleted from storage too.
    _append_batch(spark, settings, catalog, 4)
    again = maintain_table(spark, settings, postings_table(), catalog)
    assert again.files_after == {key: 1 for key in before}
    assert again.expired_data_files == 24
    assert spark.table(name).count() == 60
    referenced = {
        row.file_path.removeprefix("file:") for row in spark.sql(f"SELECT file_path FROM {name}.all_files").collect()
    }
    assert {str(path) for path in data_dir.rglob("*.parquet")} == referenced


def test_catalog_is_chosen_by_settings():
    local = spark_conf(Settings(aws_endpoint_url="http://127.0.0.1:4566", data_dir="/srv/pulse"))
    assert local["spark.sql.catalog.lake.catalog-impl"] == "org.apache.iceberg.jdbc.JdbcCatalog"
    assert local["spark.sql.catalog.lake.uri"] == "jdbc:sqlite:/srv/pulse/lake-catalog.db"
    assert local["spark.sql.catalog.lake.io-impl"] == "org.apache.iceberg.aws.s3.S3FileIO"
    assert local["spark.sql.catalog.lake.s3.endpoint"] == "http://127.0.0.1:4566"
    assert local["spark.sql.catalog.lake.s3.path-style-access"] == "true"
    aws = spark_conf(Settings(lake_catalog="glue", lake_uri="s3://bucket/lake"))
    assert aws["spark.sql.catalog.lake.catalog-impl"] == "org.apache.iceberg.aws.glue.GlueCatalog"
    assert aws["spark.sql.catalog.lake.warehouse"] == "s3://bucket/lake"
    assert not any(key.endswith((".uri", ".s3.endpoint", ".glue.endpoint")) for key in aws)  # AWS itself
    folder = spark_conf(Settings(lake_uri="/tmp/lake-folder"))
    assert folder["spark.sql.catalog.lake.warehouse"] == "file:///tmp/lake-folder"
    assert "spark.sql.catalog.lake.io-impl" not in folder  # Hadoop's file system for a local folder


def test_readers_find_the_current_metadata_file_and_refuse_an_ambiguous_catalog(tmp_path):
    settings = Settings(lake_catalog_uri=f"jdbc:sqlite:{tmp_path / 'c.db'}")
    assert metadata_location(settings, postings_table()) is None  # no catalog file yet: nothing written
    with sqlite3.connect(tmp_path / "c.db") as db:
        db.execute("CREATE TABLE iceberg_tables (catalog_name, table_namespace, table_name, metadata_location)")
        db.execute("INSERT INTO iceberg_tables VALUES ('lake', 'talent_pulse', 'postings', 's3://b/m1.json')")
    assert metadata_location(settings, postings_table()) == "s3://b/m1.json"
    assert metadata_location(settings, load_tables()["quarantine"]) is None
    with sqlite3.connect(tmp_path / "c.db") as db:
        db.execute("INSERT INTO iceberg_tables VALUES ('other', 'talent_pulse', 'postings', 's3://b/m2.json')")
    with pytest.raises(ValueError, match="several catalogs"):
        metadata_location(settings, postings_table())
