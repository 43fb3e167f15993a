"""Lambda producer: one batch of synthetic postings per invocation (EventBridge Scheduler sends {"postings": N}).

Settings (brokers, topic, auth, region) come from the environment; the event may set
``postings``, ``chaos`` (share of bad records) and ``max_failed_share``. The Kafka client (and
its MSK IAM signer) and the generator are built on the cold start and reused.
"""

from __future__ import annotations

import json
import logging
from itertools import islice
from typing import Any

from talent_pulse.chaos import ChaosInjector
from talent_pulse.producer import PostingProducer, publish_records
from talent_pulse.settings import Settings
from talent_pulse.sources import SyntheticSource

DEFAULT_POSTINGS = 500
DEFAULT_MAX_FAILED_SHARE = 0.01
FLUSH_TIMEOUT_S = 30.0

log = logging.getLogger("talent_pulse.producer")
log.setLevel(logging.INFO)
_warm: dict[str, Any] = {}


class DeliveryFailed(RuntimeError):
    pass


def _producer_and_source() -> tuple[PostingProducer, SyntheticSource]:
    if not _warm:
        _warm["producer"] = PostingProducer(Settings.from_env())
        _warm["source"] = SyntheticSource()
    return _warm["producer"], _warm["source"]


def handler(event: dict[str, Any] | None, context: object = None) -> dict[str, Any]:
    event = event or {}
    postings = int(event.get("postings", DEFAULT_POSTINGS))
    max_failed_share = float(event.get("max_failed_share", DEFAULT_MAX_FAILED_SHARE))
    producer, source = _producer_and_source()
    producer.reset_stats()
    records = ChaosInjector(float(event.get("chaos", 0.0)), seed=source.generator.rng.getrandbits(32)).records(
        source.postings()
    )
    result = publish_records(producer, islice(records, postings), flush_timeout_s=FLUSH_TIMEOUT_S)
    summary = {
        "produced": result["sent"],
        "delivered": result["delivered"],
        "failed": result["failed"],
        "duration_ms": result["duration_ms"],
        "topic": producer.topic,
        "by_kind": result["by_kind"],
    }
    log.info(json.dumps({"message": "batch produced", **summary, "errors": result["errors"][:5]}))
    if result["failed"] > max_failed_share * max(result["sent"], 1):
        raise DeliveryFailed(
            f"{result['failed']} of {result['sent']} postings were not delivered (first errors: {result['errors'][:3]})"
        )
    return summary
