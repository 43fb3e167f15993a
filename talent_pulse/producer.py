"""Publishing to Kafka: one tuned, idempotent producer with counted delivery reports.

Local runs use plaintext; on AWS the producer talks to MSK with IAM auth
(SASL_SSL + OAUTHBEARER), where librdkafka asks ``oauth_cb`` for a fresh token
from a ``poll()`` call — so long runs must keep polling, which ``send`` does.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from talent_pulse.settings import Settings

if TYPE_CHECKING:
    from confluent_kafka import KafkaError, Message

    from talent_pulse.chaos import Record

COMPRESSION_CODECS = ("lz4", "zstd", "snappy", "gzip", "none")
MAX_ERROR_SAMPLES = 20

# Throughput over latency, within a second: batches fill in ~20 ms at high rates.
THROUGHPUT_TUNING: dict[str, Any] = {
    "linger.ms": 20,
    "batch.size": 1_000_000,
    "batch.num.messages": 10_000,
    "queue.buffering.max.messages": 500_000,
    "queue.buffering.max.kbytes": 512 * 1024,
    "message.max.bytes": 1_000_000,
}


@dataclass
class DeliveryStats:
    """Counts of what was handed to the client and what the broker confirmed."""

    sent: int = 0
    delivered: int = 0
    failed: int = 0
    unconfirmed: int = 0  # no report before the flush timeout: reported as failed
    errors: list[str] = field(default_factory=list)
    latencies_s: list[float] | None = None

    @property
    def total_failed(self) -> int:
        return self.failed + self.unconfirmed

    def record(self, err: KafkaError | None, msg: Message) -> None:
        if err is None:
            self.delivered += 1
            latency = msg.latency()  # set on every delivered message
            if self.latencies_s is not None and latency is not None:
                self.latencies_s.append(latency)
            return
        self.failed += 1
        if len(self.errors) < MAX_ERROR_SAMPLES:
            self.errors.append(f"{msg.topic()}: {err.str()}")

    def summary(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "delivered": self.delivered,
            "failed": self.total_failed,
            "unconfirmed": self.unconfirmed,
            "errors": list(self.errors),
        }


def msk_iam_token_callback(
    region: str,
    sign: Callable[[str], tuple[str, int]] | None = None,
) -> Callable[[str], tuple[str, float]]:
    """librdkafka ``oauth_cb``: an MSK IAM auth token and its expiry in epoch seconds.

    The signer returns the expiry in milliseconds; librdkafka wants seconds.
    """
    if sign is None:
        from aws_msk_iam_sasl_signer import MSKAuthTokenProvider

        sign = MSKAuthTokenProvider.generate_auth_token

    def oauth_cb(_oauthbearer_config: str) -> tuple[str, float]:
        token, expiry_ms = sign(region)
        return token, expiry_ms / 1000

    return oauth_cb


def kafka_config(
    settings: Settings,
    compression: str = "lz4",
    client_id: str = "talent-pulse-producer",
    sign: Callable[[str], tuple[str, int]] | None = None,
) -> dict[str, Any]:
    """Producer configuration: idempotent, acks=all, compressed and batched, auth from settings."""
    if compression not in COMPRESSION_CODECS:
        raise ValueError(f"compression must be one of {', '.join(COMPRESSION_CODECS)}, got {compression!r}")
    config: dict[str, Any] = {
        "bootstrap.servers": settings.kafka_bootstrap,
        "client.id": client_id,
        "enable.idempotence": True,
        "acks": "all",
        "compression.type": compression,
        **THROUGHPUT_TUNING,
    }
    if settings.kafka_auth == "iam":
        config.update(
            {
                "security.protocol": "SASL_SSL",
                "sasl.mechanism": "OAUTHBEARER",
                "oauth_cb": msk_iam_token_callback(settings.aws_region, sign),
            }
        )
    return config


class PostingProducer:
    """A confluent-kafka producer that counts every delivery report and never drops one silently."""

    def __init__(
        self,
        settings: Settings,
        topic: str | None = None,
        compression: str = "lz4",
        track_latency: bool = False,
        config_overrides: dict[str, Any] | None = None,
    ):
        from confluent_kafka import Producer

        self.topic = topic or settings.postings_topic
        self.track_latency = track_latency
        self.stats = self.reset_stats()
        config = kafka_config(settings, compression)
        config.update(config_overrides or {})
        config["on_delivery"] = self._on_delivery
        config["error_cb"] = self._client_error
        self.client_errors: list[str] = []
        self._producer = Producer(config)
        # With OAUTHBEARER the first token is fetched from a poll(); do it before producing.
        self._producer.poll(0)

    def reset_stats(self) -> DeliveryStats:
        """Fresh counters, e.g. per Lambda invocation on a reused producer."""
        self.stats = DeliveryStats(latencies_s=[] if self.track_latency else None)
        return self.stats

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        self.stats.record(err, msg)

    def poll(self, timeout_s: float = 0.0) -> None:
        self._producer.poll(timeout_s)

    def _client_error(self, err: KafkaError) -> None:
        if len(self.client_errors) < MAX_ERROR_SAMPLES:
            self.client_errors.append(err.str())

    def send(self, key: bytes | None, value: bytes | None) -> None:
        """Queue one record; when the local queue is full, serve delivery reports until it drains."""
        while True:
            try:
                self._producer.produce(self.topic, value=value, key=key)
                break
            except BufferError:
                self._producer.poll(0.05)
        self.stats.sent += 1
        self._producer.poll(0)

    def flush(self, timeout_s: float = 60.0) -> DeliveryStats:
        """Wait for every delivery report; what is still unconfirmed after the timeout counts as failed."""
        self.stats.unconfirmed = self._producer.flush(timeout_s)
        if self.stats.unconfirmed:
            self.stats.errors.append(
                f"{self.stats.unconfirmed} records unconfirmed after a {timeout_s:g}s flush; "
                f"is the broker reachable? client errors: {self._describe_errors()}"
            )
        return self.stats

    def _describe_errors(self) -> str:
        return "; ".join(self.client_errors[-3:]) or "the broker address and auth mode"


def publish_records(
    producer: PostingProducer,
    records: Iterable[Record],
    rate: float | None = None,
    duration_s: float | None = None,
    truth_out: TextIO | None = None,
    on_progress: Callable[[DeliveryStats, float], None] | None = None,
    progress_every_s: float = 0.5,
    flush_timeout_s: float = 60.0,
) -> dict[str, Any]:
    """Send labelled records (paced to ``rate``/s when given, for at most ``duration_s``), then flush.

    Writes each record's ground truth to ``truth_out``; Ctrl-C or SIGTERM stops early and still flushes.
    Returns delivery counts, records by chaos kind and the rejections the contract must produce.
    """
    kinds: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    truths = 0
    started = time.monotonic()
    deadline = started + duration_s if duration_s else None
    next_progress = started + progress_every_s
    interrupted = False
    try:
        for index, record in enumerate(records):
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            if rate:
                while (delay := started + index / rate - now) > 0:
                    producer.poll(delay)
                    now = time.monotonic()
            producer.send(record.key, record.value)
            kinds[record.kind] += 1
            if record.expected_code:
                expected[record.expected_code] += 1
            if record.truth is not None:
                truths += 1
                if truth_out is not None:
                    truth_out.write(json.dumps(record.truth) + "\n")
            if on_progress is not None and now >= next_progress:
                on_progress(producer.stats, now - started)
                next_progress = now + progress_every_s
    except KeyboardInterrupt:
        interrupted = True
    stats = producer.flush(flush_timeout_s)
    elapsed = time.monotonic() - started
    return {
        **stats.summary(),
        "by_kind": dict(kinds),
        "expected_rejections": dict(expected),
        "expected_rejected": sum(expected.values()),
        "new_valid_postings": truths,
        "duration_ms": round(elapsed * 1000),
        "rate_per_s": round(stats.sent / elapsed, 1) if elapsed else 0.0,
        "interrupted": interrupted,
    }


def event_id_of(line: bytes) -> bytes | None:
    """The ``event_id`` of a JSON-lines record when it parses as an object with a string id, else None."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    event_id = obj.get("event_id") if isinstance(obj, dict) else None
    return event_id.encode("utf-8") if isinstance(event_id, str) else None


def publish_raw_lines(
    settings: Settings, lines: Iterable[bytes], topic: str | None = None, flush_timeout_s: float = 60.0
) -> DeliveryStats:
    """Publish each line as-is as one record (key = its event_id when it parses), e.g. to test quarantine.

    Only the line terminator is stripped; blank lines are skipped.
    """
    producer = PostingProducer(settings, topic)
    for line in lines:
        value = line.rstrip(b"\r\n")
        if value:
            producer.send(event_id_of(value), value)
    return producer.flush(flush_timeout_s)
