"""MSK IAM auth path, offline: the real signer presigns locally from (dummy) credentials."""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs, urlparse

import pytest
from aws_msk_iam_sasl_signer import MSKAuthTokenProvider
from confluent_kafka import Producer

from talent_pulse.producer import kafka_config, msk_iam_token_callback
from talent_pulse.settings import Settings


@pytest.fixture
def dummy_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "dummy-secret-for-offline-signing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def _presigned_url(token: str) -> str:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()


def test_the_token_is_signed_for_the_configured_region_and_expiry_is_in_seconds(dummy_credentials):
    token, expiry = msk_iam_token_callback("eu-west-2")("")
    url = urlparse(_presigned_url(token))
    query = parse_qs(url.query)
    assert url.hostname == "kafka.eu-west-2.amazonaws.com"
    assert query["Action"] == ["kafka-cluster:Connect"]
    assert "/eu-west-2/kafka-cluster/aws4_request" in query["X-Amz-Credential"][0]
    # librdkafka wants epoch seconds; the signer gives milliseconds (1000x larger).
    assert time.time() < expiry < time.time() + 3600


def test_iam_mode_configures_sasl_ssl_oauthbearer_and_plaintext_does_not():
    iam = kafka_config(Settings(kafka_auth="iam", aws_region="ap-south-1"))
    assert (iam["security.protocol"], iam["sasl.mechanism"]) == ("SASL_SSL", "OAUTHBEARER")
    assert callable(iam["oauth_cb"])
    plaintext = kafka_config(Settings())
    assert not {"security.protocol", "sasl.mechanism", "oauth_cb"} & set(plaintext)
    for config in (iam, plaintext):
        assert config["enable.idempotence"] is True and config["acks"] == "all"
        assert config["compression.type"] == "lz4" and config["linger.ms"] > 0


def test_librdkafka_fetches_the_token_through_poll_with_the_settings_region(dummy_credentials):
    regions: list[str] = []

    def recording_signer(region: str):
        regions.append(region)
        return MSKAuthTokenProvider.generate_auth_token(region)

    config = kafka_config(
        Settings(kafka_auth="iam", aws_region="eu-central-1", kafka_bootstrap="127.0.0.1:1"), sign=recording_signer
    )
    producer = Producer(config)
    deadline = time.monotonic() + 10
    while not regions and time.monotonic() < deadline:
        producer.poll(0.1)  # token refresh is served from poll(): long runs must keep polling
    assert regions and set(regions) == {"eu-central-1"}


def test_unknown_compression_is_refused():
    with pytest.raises(ValueError, match="compression"):
        kafka_config(Settings(), compression="brotli")
