"""The streaming job's pure transformations and the hot path's batch delta, on a real local Spark session."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest
from pyspark.sql import functions as F

from talent_pulse.contract import Rejection, encode_event, validate_record
from talent_pulse.gazetteer import normalise_location
from talent_pulse.skills import default_matcher
from talent_pulse.stream.cold_path import lake_columns
from talent_pulse.stream.hot_path import summarise_facts
from talent_pulse.stream.job import failure_summary
from talent_pulse.stream.schema import table_schema
from talent_pulse.stream.transforms import (
    accepted,
    dedup_key,
    deduplicate,
    derive_flags,
    enrich,
    enrich_records,
    parse_records,
    rejected,
    serving_facts,
    to_postings_rows,
    to_quarantine_rows,
)
from talent_pulse.tables import postings_table, quarantine_table

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _event(n: int, **overrides) -> dict:
    event = {
        "event_id": f"evt-{n}",
        "event_time": (NOW - timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
        "source": "board",
        "job_id": f"job-{n}",
        "title": ["Senior Python Engineer", "Junior Java Developer", "Data Engineer (Spark, SQL)"][n % 3],
        "company": "Acme",
        "location": ["Berlin, Germany", "London UK", "Remote - EU"][n % 3],
        "description": "We use Python, Kafka and PostgreSQL. JavaScript and React are a plus.",
        "schema_version": 1,
    }
    event.update(overrides)
    return event


def _valid(n: int, **overrides) -> bytes:
    return encode_event(_event(n, **overrides))[1]


BAD_VALUES = [
    b"{not json",
    b"\xff\xfe garbage",
    b"[1, 2, 3]",
    json.dumps(_event(90, schema_version=2)).encode(),
    json.dumps({k: v for k, v in _event(91).items() if k != "title"}).encode(),
    json.dumps(_event(92, remote="yes")).encode(),
    json.dumps(_event(93, event_time="yesterday")).encode(),
    json.dumps(_event(94, seniority="wizard")).encode(),
    json.dumps(_event(95, salary_min=10.0, salary_max=1.0)).encode(),
    b"x" * (300 * 1024),
    json.dumps(_event(96, title="")).encode(),
    None,
]


def _kafka_frame(spark, values: list[bytes | None]):
    rows = [
        (None if v is None else b"k", v, "postings", 0, offset, NOW + timedelta(seconds=offset))
        for offset, v in enumerate(values)
    ]
    schema = "key binary, value binary, topic string, partition int, offset long, timestamp timestamp"
    return spark.createDataFrame(rows, schema)


def _types(schema) -> list[tuple[str, str]]:
    return [(field.name, field.dataType.simpleString()) for field in schema.fields]


def _expected_reason(value: bytes | None) -> str | None:
    try:
        validate_record(value)
    except Rejection as rejection:
        return rejection.code
    return None


def test_parse_gives_the_python_validators_reason_for_every_record(spark):
    values = [_valid(1), _valid(2, remote=True, seniority="lead", salary_min=1.0, salary_max=2.0), *BAD_VALUES]
    parsed = parse_records(_kafka_frame(spark, values)).orderBy("kafka_offset").collect()
    assert [row.reason_code for row in parsed] == [_expected_reason(v) for v in values]
    assert len({row.reason_code for row in parsed if row.reason_code}) >= 8
    assert [row.raw_value for row in parsed] == [None if v is None else bytearray(v) for v in values]
    good = parsed[1]
    assert (good.event_id, good.remote, good.seniority, good.salary_max) == ("evt-2", True, "lead", 2.0)
    expected_time = datetime.fromisoformat(_event(2)["event_time"].replace("Z", "+00:00"))
    assert good.event_time == expected_time.replace(tzinfo=None)


def test_split_and_quarantine_rows_have_exactly_the_table_columns(spark):
    parsed = parse_records(_kafka_frame(spark, [_valid(1), *BAD_VALUES]))
    assert accepted(parsed).count() == 1
    quarantine = to_quarantine_rows(rejected(parsed), batch_id=7)
    assert _types(quarantine.schema) == _types(table_schema(quarantine_table()))
    rows = quarantine.collect()
    assert len(rows) == len(BAD_VALUES)
    assert {row.batch_id for row in rows} == {7}
    assert all(row.reason.startswith(row.reason_code + ":") for row in rows)


def test_enrich_matches_gazetteer_matcher_and_derives_flags(spark):
    values = [_valid(n) for n in range(6)] + [_valid(6, remote=False, seniority="mid")]
    events = enrich(accepted(parse_records(_kafka_frame(spark, values))))
    rows = {row.event_id: row for row in to_postings_rows(events, batch_id=3).collect()}
    matcher = default_matcher()
    for n in range(7):
        event, row = _event(n), rows[f"evt-{n}"]
        location = normalise_location(event["location"])
        assert (row.location, row.city, row.country, row.region) == (
            location.slug,
            location.city,
            location.country,
            location.region,
        )
        assert row.location_raw == event["location"]
        assert list(row.skills) == matcher.extract(event["title"] + "\n" + event["description"])
    assert rows["evt-0"].seniority == "senior"
    assert rows["evt-1"].seniority == "junior"
    assert rows["evt-2"].remote is True  # "Remote - EU"
    assert rows["evt-1"].remote is False
    assert (rows["evt-6"].remote, rows["evt-6"].seniority) == (False, "mid")  # stated values win
    assert "JavaScript" not in rows["evt-1"].title and "Java" in rows["evt-1"].skills


def test_postings_rows_have_exactly_the_table_schema(spark):
    events = enrich(accepted(parse_records(_kafka_frame(spark, [_valid(1)]))))
    assert _types(to_postings_rows(events, batch_id=0).schema) == _types(table_schema(postings_table()))


def test_derive_flags_keeps_nulls_when_nothing_is_stated(spark):
    frame = spark.createDataFrame(
        [("Engineer", "Paris", "paris", "Build things.", None, None)],
        "title string, location_raw string, location string, description string, remote boolean, seniority string",
    )
    row = derive_flags(frame).first()
    assert (row.remote, row.seniority) == (False, None)


def test_dedup_keeps_one_row_per_event_id_and_never_merges_rejects(spark):
    values = [_valid(1), _valid(1), _valid(2), b"{bad", b"{bad", _valid(2)]
    kept = deduplicate(dedup_key(parse_records(_kafka_frame(spark, values))), "1 hour").collect()
    assert sorted(row.event_id for row in kept if row.reason_code is None) == ["evt-1", "evt-2"]
    assert len([row for row in kept if row.reason_code]) == 2


def test_the_streaming_dedup_drops_repeats_across_batches_with_its_state_in_rocksdb(spark, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    schema = "event_id string, ingested_at timestamp"
    for batch, ids in enumerate((["a", "b", "a"], ["b", "c"])):
        rows = [{"event_id": event_id, "ingested_at": NOW.isoformat()} for event_id in ids]
        (source / f"{batch}.json").write_text("\n".join(map(json.dumps, rows)))
    stream = spark.readStream.schema(schema).option("maxFilesPerTrigger", 1).json(str(source))
    checkpoint = tmp_path / "checkpoint"
    query = (
        deduplicate(stream, "1 hour")
        .writeStream.format("memory")
        .queryName("dedup_across_batches")
        .option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination(120)
    assert sorted(row.event_id for row in spark.table("dedup_across_batches").collect()) == ["a", "b", "c"]
    state_files = {path.name for path in (checkpoint / "state").rglob("*") if path.is_file()}
    assert "2.changelog" in state_files  # RocksDB's changelog of the second batch (spark_session.base_conf)


def test_batch_summary_equals_counts_computed_in_python(spark):
    values = [_valid(n) for n in range(9)] + BAD_VALUES[:3]
    parsed = parse_records(_kafka_frame(spark, values))
    delta = summarise_facts(serving_facts(parsed).toArrow(), records_read=16)
    matcher = default_matcher()
    skills, loc_skills, pairs = Counter(), Counter(), Counter()
    for n in range(9):
        event = _event(n)
        found = matcher.extract(event["title"] + "\n" + event["description"])
        slug = normalise_location(event["location"]).slug
        skills.update(found)
        loc_skills.update((slug, s) for s in found)
        pairs.update(combinations(sorted(found), 2))
    assert (delta.postings, delta.rejected, delta.duplicates) == (9, 3, 4)
    assert delta.skills == dict(skills)
    assert {(slug, s): c for slug, m in delta.location_skills.items() for s, c in m.items()} == dict(loc_skills)
    assert delta.pairs == dict(pairs)
    assert sum(delta.minute_postings.values()) == sum(delta.hour_postings.values()) == 9
    assert sum(delta.remote.values()) == 9
    assert delta.rejected_reasons == dict(Counter(_expected_reason(v) for v in BAD_VALUES[:3]))
    assert delta.last_event_time == _event(0)["event_time"].replace(".000", "")[:19] + "Z"


def test_batch_summary_refuses_more_rows_than_records_read(spark):
    parsed = parse_records(_kafka_frame(spark, [_valid(1), b"{bad"]))
    with pytest.raises(RuntimeError, match="out of 1 records read"):
        summarise_facts(serving_facts(parsed).toArrow(), records_read=1)


def test_a_query_failure_is_summarised_by_its_first_line_and_innermost_error():
    message = "\n".join(
        [
            "[STREAM_FAILED] Query [id = 1] terminated with exception: foreachBatch failed SQLSTATE: XXKST",
            "=== Streaming Query ===",
            "Traceback (most recent call last):",
            "redis.exceptions.ConnectionError: Connection closed by server.",
            "During handling of the above exception, another exception occurred:",
            "redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:6390. Connection refused.",
            "\tat org.apache.spark.sql.execution.streaming.MicroBatchExecution.run(MicroBatchExecution.scala:1)",
        ]
    )
    assert failure_summary(message) == (
        "[STREAM_FAILED] Query [id = 1] terminated with exception: foreachBatch failed SQLSTATE: XXKST | "
        "redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:6390. Connection refused."
    )


def test_a_record_an_enrichment_stage_fails_on_is_quarantined_as_processing_error(spark, monkeypatch):
    import talent_pulse.stream.transforms as transforms

    real_enrich = transforms.enrich

    def enrich_failing_on_evt_2(events):
        enriched = real_enrich(events)
        return enriched.withColumn("skills", F.when(F.col("event_id") == "evt-2", None).otherwise(F.col("skills")))

    monkeypatch.setattr(transforms, "enrich", enrich_failing_on_evt_2)
    records = transforms.enrich_records(parse_records(_kafka_frame(spark, [_valid(1), _valid(2), b"{bad"])))
    verdicts = {row.event_id: row.reason_code for row in records.collect()}
    assert verdicts["evt-1"] is None and verdicts["evt-2"] == "processing_error"
    assert sorted(row.event_id for row in accepted(records).collect()) == ["evt-1"]
    assert len(rejected(records).collect()) == 2


def test_a_hot_checkpoint_of_an_earlier_version_loses_its_dedup_state_only(spark, tmp_path):
    from talent_pulse.stream.checkpoint import Storage
    from talent_pulse.stream.hot_path import drop_stateful_dedup

    checkpoint = tmp_path / "hot"
    for name in ("metadata", "offsets/7", "commits/7", "state/0/0/8.delta", "state/0/_metadata/metadata"):
        (checkpoint / name).parent.mkdir(parents=True, exist_ok=True)
        (checkpoint / name).write_text("x")
    storage = Storage(spark)

    assert drop_stateful_dedup(storage, checkpoint.as_uri())
    assert not (checkpoint / "state").exists()
    assert all((checkpoint / name).exists() for name in ("metadata", "offsets/7", "commits/7"))
    assert not drop_stateful_dedup(storage, checkpoint.as_uri())


def test_the_lake_columns_keep_raw_bytes_of_quarantined_records_only(spark):
    records = enrich_records(dedup_key(parse_records(_kafka_frame(spark, [_valid(1), b"{bad"]))))
    narrowed = lake_columns(records)
    rows = {row.reason_code: row for row in narrowed.collect()}
    assert rows[None].raw_value is None and rows[None].raw_key is None
    assert bytes(rows["malformed_json"].raw_value) == b"{bad"
    table_columns = {column.name for table in (postings_table(), quarantine_table()) for column in table.columns}
    assert set(narrowed.columns) == table_columns - {"batch_id"} | {"event_id", "reason_code"}
