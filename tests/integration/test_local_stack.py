"""The local stack's services answer real round trips, and a posting crosses the real broker."""

from __future__ import annotations

import uuid

import boto3
import redis
from confluent_kafka import Consumer, Producer

from talent_pulse.contract import encode_event, validate_record


def _posting() -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_time": "2026-11-28T12:00:00Z",
        "source": "integration-test",
        "job_id": "J-1",
        "title": "Senior Data Engineer",
        "company": "Acme",
        "location": "London, UK",
        "description": "Python, Spark and Kafka on AWS.",
        "remote": False,
        "schema_version": 1,
    }


def test_every_service_answers(local_stack):
    statuses = {s.name: s for s in local_stack.status()}
    assert set(statuses) == {"kafka", "redis", "s3"}
    assert all(s.answering for s in statuses.values()), {n: s.detail for n, s in statuses.items()}
    assert "job-postings" in statuses["kafka"].detail


def test_posting_round_trips_through_kafka(isolated_settings):
    event = _posting()
    key, value = encode_event(event)
    producer = Producer({"bootstrap.servers": isolated_settings.kafka_bootstrap, "enable.idempotence": True})
    delivered = []
    producer.produce(
        isolated_settings.postings_topic, key=key, value=value, on_delivery=lambda e, m: delivered.append(e)
    )
    producer.flush(30)
    assert delivered == [None]

    consumer = Consumer(
        {
            "bootstrap.servers": isolated_settings.kafka_bootstrap,
            "group.id": f"test-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([isolated_settings.postings_topic])
    try:
        message = None
        for _ in range(60):
            message = consumer.poll(1.0)
            if message is not None and message.error() is None:
                break
        assert message is not None and message.error() is None
        assert message.key() == key
        assert validate_record(message.value()) == validate_record(value)
        assert validate_record(message.value())["event_id"] == event["event_id"]
    finally:
        consumer.close()


def test_redis_and_s3_answer(isolated_settings):
    client = redis.Redis.from_url(isolated_settings.redis_url)
    key = f"{{{isolated_settings.serving_namespace}}}:probe"
    client.set(key, "1", ex=60)
    assert client.get(key) == b"1"

    s3 = boto3.client("s3")
    bucket, prefix = "talent-pulse-local", isolated_settings.lake_uri.split("talent-pulse-local/")[1]
    s3.put_object(Bucket=bucket, Key=f"{prefix}/probe.txt", Body=b"hello")
    assert s3.get_object(Bucket=bucket, Key=f"{prefix}/probe.txt")["Body"].read() == b"hello"
