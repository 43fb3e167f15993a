"""The serving layer's Redis client, configured from settings."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import redis

from talent_pulse.settings import Settings


def redis_client(settings: Settings) -> redis.Redis[str]:
    """The serving-layer client: URL (redis:// or rediss:// for TLS) + AUTH token from settings.

    A password inside the URL wins over PULSE_REDIS_PASSWORD / the secret ARN.
    """
    password = settings.resolved_redis_password() or None
    return redis.Redis.from_url(
        settings.redis_url,
        password=password,
        decode_responses=True,
        socket_connect_timeout=5,
        socket_timeout=30,
        health_check_interval=30,
    )


def redacted_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:****@{parts.hostname}" + (f":{parts.port}" if parts.port else "")))
