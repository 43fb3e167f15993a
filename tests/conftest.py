"""Shared fixtures: a real local Spark session and the real local stack.

The local stack is started once per session, or reused: a stack that was
already running (e.g. `pulse local up` in another shell) is left running; one
this session started is stopped at the end. Each test gets its own topic,
serving namespace and lake prefix, so tests never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from talent_pulse.jvm_build import streaming_job_jars
from talent_pulse.lake.catalog import ICEBERG_EXTENSIONS
from talent_pulse.local_stack.supervisor import LocalStack, local_environment
from talent_pulse.settings import Settings

os.environ.setdefault("PYSPARK_PYTHON", "python3")


@pytest.fixture(scope="session")
def spark():
    """A real local Spark session, configured like the streaming job (JVM skill matcher, Kafka, s3a, Iceberg)."""
    from talent_pulse.spark_session import base_conf, local_session

    jars = streaming_job_jars(Path(Settings.from_env().cache_dir))
    session = local_session(
        "talent-pulse-tests",
        jars,
        extra={
            **base_conf(Settings.from_env()),
            "spark.sql.shuffle.partitions": "4",
            "spark.sql.extensions": ICEBERG_EXTENSIONS,
        },
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def local_stack():
    environment = local_environment(Settings.from_env())
    os.environ.update(environment)
    stack = LocalStack(Settings.from_env())
    already_running = all(status.answering for status in stack.status())
    if not already_running:
        stack.up()
    yield stack
    if not already_running:
        stack.down()


@pytest.fixture
def isolated_settings(local_stack, request) -> Settings:
    """Settings with a fresh topic, serving namespace and lake/checkpoint prefix for one test."""
    from confluent_kafka.admin import AdminClient, NewTopic

    suffix = f"{request.node.name[:40]}-{uuid.uuid4().hex[:8]}".lower()
    suffix = "".join(c if c.isalnum() or c == "-" else "-" for c in suffix)
    base = Settings.from_env()
    settings = Settings.from_env(
        postings_topic=f"test-{suffix}",
        serving_namespace=f"test-{suffix}",
        lake_uri=f"s3://talent-pulse-local/tests/{suffix}/lake",
        lake_catalog_uri=f"jdbc:sqlite:{Path(base.data_dir).resolve() / 'tests' / suffix / 'lake-catalog.db'}",
        checkpoint_uri=f"s3://talent-pulse-local/tests/{suffix}/checkpoint",
        data_dir=base.data_dir,
    )
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    admin.create_topics(
        [NewTopic(settings.postings_topic, num_partitions=settings.topic_partitions, replication_factor=1)]
    )[settings.postings_topic].result(timeout=30)
    yield settings
    admin.delete_topics([settings.postings_topic])[settings.postings_topic].result(timeout=30)
    remove_test_data(settings)


def remove_test_data(settings: Settings) -> None:
    """Delete a test's serving namespace and its lake and checkpoint prefix (the topic is its caller's)."""
    import boto3
    from serving_support import delete_namespace

    from talent_pulse.serving import redis_client

    client = redis_client(settings)
    try:
        delete_namespace(client, settings.serving_namespace)
    finally:
        client.close()
    s3 = boto3.client("s3", region_name=settings.aws_region)
    for uri in (settings.lake_uri, settings.checkpoint_uri):
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/"):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})
