from __future__ import annotations

import json
import subprocess
import sys

import pytest

from talent_pulse.settings import Settings
from talent_pulse.tables import load_tables, postings_table


def test_defaults_point_at_the_local_stack():
    settings = Settings.from_env({})
    assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert (settings.lake_catalog, settings.lake_uri) == ("jdbc", "s3://talent-pulse-local/lake")
    assert settings.cold_trigger_seconds == 60


def test_env_values_are_typed():
    settings = Settings.from_env({"PULSE_TOPIC_PARTITIONS": "12", "PULSE_TRIGGER_SECONDS": "0.5"})
    assert settings.topic_partitions == 12 and settings.trigger_seconds == 0.5


@pytest.mark.parametrize(
    "env, message",
    [
        ({"PULSE_TOPIC_PARTITIONS": "many"}, "PULSE_TOPIC_PARTITIONS='many' is not a valid int"),
        ({"PULSE_KAFKA_AUTH": "sasl"}, "PULSE_KAFKA_AUTH must be plaintext or iam"),
        ({"PULSE_HISTORY_BACKEND": "presto"}, "PULSE_HISTORY_BACKEND must be duckdb or athena"),
        ({"PULSE_SERVING_NAMESPACE": "a:b"}, "PULSE_SERVING_NAMESPACE must be non-empty"),
        ({"PULSE_STARTING_OFFSETS": "beginning"}, "PULSE_STARTING_OFFSETS must be earliest, latest or JSON"),
        ({"PULSE_STARTING_OFFSETS": "[1]"}, "PULSE_STARTING_OFFSETS must be earliest, latest or JSON"),
        ({"PULSE_LAKE_CATALOG": "hive"}, "PULSE_LAKE_CATALOG must be jdbc or glue"),
        ({"PULSE_LAKE_RETAIN_SNAPSHOTS": "1"}, "PULSE_LAKE_RETAIN_SNAPSHOTS must be at least 2"),
    ],
)
def test_bad_values_say_which_variable(env, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Settings.from_env(env)


def test_starting_offsets_reach_the_kafka_source():
    from talent_pulse.stream.source import kafka_options

    assert kafka_options(Settings.from_env({}))["startingOffsets"] == "earliest"
    offsets = '{"job-postings": {"0": 42, "1": -2}}'
    assert kafka_options(Settings.from_env({"PULSE_STARTING_OFFSETS": offsets}))["startingOffsets"] == offsets


def test_env_names_are_unique():
    names = Settings.env_names()
    assert len(names) == len(set(names))


def test_config_command_masks_secrets():
    env = {"PULSE_REDIS_PASSWORD": "hunter2", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "talent_pulse.cli.main", "config", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    printed = json.loads(result.stdout)
    assert printed["PULSE_REDIS_PASSWORD"] == "****"
    assert "hunter2" not in result.stdout
    assert set(printed) == set(Settings.env_names())


def test_tables_have_unique_columns_and_day_partitions():
    tables = load_tables()
    assert set(tables) == {"postings", "quarantine"}
    for table in tables.values():
        assert len(table.column_names) == len(set(table.column_names))
    assert [(p.column, p.transform) for p in postings_table().partitioning] == [
        ("event_time", "day"),
        ("location", "identity"),
    ]
    assert [(p.column, p.transform) for p in tables["quarantine"].partitioning] == [("ingested_at", "day")]
