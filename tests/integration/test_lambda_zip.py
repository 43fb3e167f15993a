"""The Lambda zip runs on its own: unpacked into an empty folder, imported in an isolated interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]

# Runs inside `python -I -S`: no site-packages, no PYTHON* variables, only the unpacked zip on sys.path.
INVOKE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from lambdas.producer import handler as module
first = module.handler({"postings": 300, "chaos": 0.1})
producer = module._warm["producer"]
second = module.handler({"postings": 200})
import confluent_kafka, talent_pulse
print(json.dumps({"first": first, "second": second, "reused": module._warm["producer"] is producer,
                  "kafka_from": confluent_kafka.__file__, "pulse_from": talent_pulse.__file__,
                  "heavy": sorted(m for m in ("pyspark", "pandas", "pyarrow", "duckdb", "streamlit")
                                  if m in sys.modules)}))
"""


@pytest.fixture(scope="module")
def lambda_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "lambda-producer.zip"
    result = subprocess.run(
        ["bash", str(REPO / "lambdas/producer/build.sh")],
        env={**os.environ, "OUT": str(out)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_the_zip_holds_the_handler_and_linux_wheels_but_no_heavy_dependencies(lambda_zip):
    names = zipfile.ZipFile(lambda_zip).namelist()
    assert "lambdas/producer/handler.py" in names and "talent_pulse/data/locations.json" in names
    assert "talent_pulse/data/skills.yaml" in names
    assert any(n.startswith("confluent_kafka/cimpl.cpython-311-x86_64-linux-gnu") for n in names)
    assert any(n.startswith("aws_msk_iam_sasl_signer/") for n in names)
    assert not any(n.split("/")[0] in ("pyspark", "pandas", "pyarrow", "duckdb", "streamlit") for n in names)


def test_the_unpacked_handler_produces_to_the_local_broker_from_a_clean_interpreter(
    lambda_zip, isolated_settings, tmp_path
):
    unpacked = tmp_path / "lambda"
    zipfile.ZipFile(lambda_zip).extractall(unpacked)
    env = {
        "PATH": os.environ["PATH"],
        "PULSE_KAFKA_BOOTSTRAP": isolated_settings.kafka_bootstrap,
        "PULSE_POSTINGS_TOPIC": isolated_settings.postings_topic,
        "AWS_REGION": isolated_settings.aws_region,
    }
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", INVOKE, str(unpacked)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    first, second = report["first"], report["second"]
    assert (first["produced"], first["delivered"], first["failed"]) == (300, 300, 0)
    assert (second["produced"], second["delivered"], second["failed"]) == (200, 200, 0)
    assert first["duration_ms"] > 0 and first["topic"] == isolated_settings.postings_topic
    assert sum(n for kind, n in first["by_kind"].items() if kind != "clean") > 0
    assert report["reused"] is True
    assert report["kafka_from"].startswith(str(unpacked)) and report["pulse_from"].startswith(str(unpacked))
    assert report["heavy"] == []
    assert _records_in_topic(isolated_settings) == 500


def _records_in_topic(settings) -> int:
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap, "group.id": "count"})
    try:
        topics = consumer.list_topics(settings.postings_topic, timeout=10).topics
        partitions = topics[settings.postings_topic].partitions
        return sum(
            consumer.get_watermark_offsets(TopicPartition(settings.postings_topic, p), timeout=10)[1]
            for p in partitions
        )
    finally:
        consumer.close()
