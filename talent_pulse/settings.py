"""One settings object, read from environment variables.

The same names are used on a laptop, in the Lambda, on EMR Serverless and on
ECS; Terraform sets them (tests/infra checks that it uses only names defined
here). Emulators are reached through the standard ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Settings that name the services' hosts. When none is set, a shell has not been pointed anywhere and
# `resolve_environment` may point it at the running local stack (names such as the topic or the lake
# prefix do not say where the services are, so they may be set).
ENDPOINT_SETTINGS = ("AWS_ENDPOINT_URL", "PULSE_KAFKA_BOOTSTRAP", "PULSE_REDIS_URL")
# Every serving key is `{<namespace>}:<name>`: the namespace is a cluster hash tag (talent_pulse/serving/keys.py).
NAMESPACE_RULE = "non-empty without braces, colons or spaces"


def valid_namespace(namespace: str) -> bool:
    """The one rule for a serving namespace: it fits in the `{<namespace>}` hash tag of every key."""
    return bool(namespace) and not any(c in namespace for c in "{}: ")


class SettingsError(ValueError):
    """A configuration mistake the user fixes by changing an environment variable."""


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _setting(env: str, default: Any, help: str, secret: bool = False) -> Any:
    return field(default=default, metadata={"env": env, "help": help, "secret": secret})


@dataclass(frozen=True)
class Settings:
    kafka_bootstrap: str = _setting(
        "PULSE_KAFKA_BOOTSTRAP", "127.0.0.1:9092", "Kafka bootstrap servers (MSK: the IAM brokers, port 9098)"
    )
    kafka_auth: str = _setting("PULSE_KAFKA_AUTH", "plaintext", "Kafka auth mode: plaintext | iam (MSK IAM over TLS)")
    postings_topic: str = _setting("PULSE_POSTINGS_TOPIC", "job-postings", "Topic carrying posting events v1")
    topic_partitions: int = _setting("PULSE_TOPIC_PARTITIONS", 4, "Partitions of the postings topic")
    redis_url: str = _setting(
        "PULSE_REDIS_URL", "redis://127.0.0.1:6379/0", "Serving-layer Redis URL (rediss:// for TLS)"
    )
    redis_password: str = _setting("PULSE_REDIS_PASSWORD", "", "Redis AUTH token (injected from Secrets Manager)", True)
    redis_password_secret_arn: str = _setting(
        "PULSE_REDIS_PASSWORD_SECRET_ARN", "", "Secrets Manager ARN holding the Redis AUTH token"
    )
    serving_namespace: str = _setting(
        "PULSE_SERVING_NAMESPACE", "pulse", "Hash tag shared by every serving-layer key: {namespace}:..."
    )
    lake_uri: str = _setting(
        "PULSE_LAKE_URI", "s3://talent-pulse-local/lake", "Iceberg warehouse: the lake tables' data and metadata files"
    )
    checkpoint_uri: str = _setting(
        "PULSE_CHECKPOINT_URI", "s3://talent-pulse-local/checkpoints/streaming-job", "Streaming checkpoint location"
    )
    lake_catalog: str = _setting(
        "PULSE_LAKE_CATALOG", "jdbc", "Iceberg catalog of the lake tables: jdbc (SQLite file, local) | glue (AWS)"
    )
    lake_catalog_uri: str = _setting(
        "PULSE_LAKE_CATALOG_URI",
        "",
        "JDBC URL of the jdbc catalog; empty: jdbc:sqlite:<PULSE_DATA_DIR>/lake-catalog.db. "
        "One committing JVM at a time",
    )
    lake_target_file_mb: int = _setting(
        "PULSE_LAKE_TARGET_FILE_MB", 128, "Target data file size of writes and of `pulse lake maintain` compaction"
    )
    lake_retain_snapshots: int = _setting(
        "PULSE_LAKE_RETAIN_SNAPSHOTS", 5, "Snapshots `pulse lake maintain` keeps per table (at least 2)"
    )
    lake_snapshot_max_age_hours: float = _setting(
        "PULSE_LAKE_SNAPSHOT_MAX_AGE_HOURS", 24.0, "Older snapshots (beyond the retained ones) are expired"
    )
    lake_orphan_min_age_hours: float = _setting(
        "PULSE_LAKE_ORPHAN_MIN_AGE_HOURS",
        1.0,
        "Unreferenced files younger than this are kept (a writer may still be about to commit them)",
    )
    lake_quarantine_retention_days: int = _setting(
        "PULSE_LAKE_QUARANTINE_RETENTION_DAYS",
        0,
        "`pulse lake maintain` deletes quarantined records older than this many days (0: keeps them)",
    )
    history_backend: str = _setting("PULSE_HISTORY_BACKEND", "duckdb", "History queries: duckdb | athena")
    glue_database: str = _setting(
        "PULSE_GLUE_DATABASE", "talent_pulse", "Iceberg namespace (the Glue database on AWS) of the lake tables"
    )
    athena_workgroup: str = _setting("PULSE_ATHENA_WORKGROUP", "talent-pulse", "Athena workgroup for history queries")
    starting_offsets: str = _setting(
        "PULSE_STARTING_OFFSETS",
        "earliest",
        "Where a new checkpoint starts reading: earliest | latest | JSON offsets per partition",
    )
    trigger_seconds: float = _setting("PULSE_TRIGGER_SECONDS", 1.0, "Hot path (Redis) micro-batch trigger interval")
    cold_trigger_seconds: float = _setting(
        "PULSE_COLD_TRIGGER_SECONDS", 60.0, "Cold path (lake) micro-batch trigger interval"
    )
    max_offsets_per_trigger: int = _setting(
        "PULSE_MAX_OFFSETS_PER_TRIGGER", 50000, "Upper bound of records per hot-path micro-batch"
    )
    cold_max_offsets_per_trigger: int = _setting(
        "PULSE_COLD_MAX_OFFSETS_PER_TRIGGER",
        120000,
        "Upper bound of records per cold-path (lake) micro-batch: a commit writes about one file per (day, "
        "location) whatever its size, so fuller batches mean fewer files per posting",
    )
    cold_yield_seconds: float = _setting(
        "PULSE_COLD_YIELD_SECONDS",
        300.0,
        "How long a cold-path batch waits, at most, while the hot path catches up on a backlog (its last batch "
        "left records in Kafka), so the live counts get the cores first; 0: never waits",
    )
    shuffle_partitions: int = _setting(
        "PULSE_SHUFFLE_PARTITIONS",
        1,
        "spark.sql.shuffle.partitions: the cold query's dedup state partitions (fixed at its first checkpoint). "
        "Each is one long task per cold batch: one leaves the hot path a core; more suit a cluster",
    )
    aws_region: str = _setting("AWS_REGION", "us-east-1", "AWS region")
    aws_endpoint_url: str = _setting("AWS_ENDPOINT_URL", "", "AWS endpoint override (emulators); empty on AWS")
    data_dir: str = _setting("PULSE_DATA_DIR", ".pulse", "Local stack state: data, logs, pids")
    cache_dir: str = _setting(
        "PULSE_CACHE_DIR", str(Path.home() / ".cache" / "talent-pulse"), "Downloaded jars and built tools"
    )
    dashboard_port: int = _setting("PULSE_DASHBOARD_PORT", 8501, "Port of the Streamlit dashboard")
    metrics_namespace: str = _setting(
        "PULSE_METRICS_NAMESPACE", "", "CloudWatch namespace of the per-batch metrics; empty: not published"
    )
    metrics_dimensions: str = _setting(
        "PULSE_METRICS_DIMENSIONS", "", "Dimensions of those metrics as Name=Value pairs, comma-separated"
    )
    metrics_flush_seconds: float = _setting(
        "PULSE_METRICS_FLUSH_SECONDS", 30.0, "Buffer the per-batch metrics and put them at most this often"
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is None:
                continue
            try:
                values[f.name] = type(f.default)(raw)  # type: ignore[misc]  # every field has a default
            except ValueError as exc:
                raise SettingsError(f"{f.metadata['env']}={raw!r} is not a valid {type(f.default).__name__}") from exc
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.kafka_auth not in ("plaintext", "iam"):
            raise SettingsError(f"PULSE_KAFKA_AUTH must be plaintext or iam, got {self.kafka_auth!r}")
        if self.history_backend not in ("duckdb", "athena"):
            raise SettingsError(f"PULSE_HISTORY_BACKEND must be duckdb or athena, got {self.history_backend!r}")
        if self.starting_offsets not in ("earliest", "latest") and not _is_json_object(self.starting_offsets):
            raise SettingsError(
                "PULSE_STARTING_OFFSETS must be earliest, latest or JSON such as "
                f'{{"job-postings": {{"0": 42}}}}, got {self.starting_offsets!r}'
            )
        if self.lake_catalog not in ("jdbc", "glue"):
            raise ValueError(f"PULSE_LAKE_CATALOG must be jdbc or glue, got {self.lake_catalog!r}")
        if self.lake_retain_snapshots < 2:
            # Retaining a single snapshot after a compaction cuts the chain a replayed batch is checked against.
            raise ValueError(f"PULSE_LAKE_RETAIN_SNAPSHOTS must be at least 2, got {self.lake_retain_snapshots}")
        if self.cold_yield_seconds < 0:
            raise SettingsError(f"PULSE_COLD_YIELD_SECONDS must be 0 or more, got {self.cold_yield_seconds:g}")
        if not valid_namespace(self.serving_namespace):
            raise SettingsError(f"PULSE_SERVING_NAMESPACE must be {NAMESPACE_RULE}")

    @staticmethod
    def env_names() -> list[str]:
        return [f.metadata["env"] for f in dataclasses.fields(Settings)]

    def describe(self) -> list[dict[str, Any]]:
        """Effective configuration with secrets masked, for `pulse config`."""
        rows = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.metadata["secret"] and value:
                value = "****"
            rows.append({"env": f.metadata["env"], "value": value, "help": f.metadata["help"]})
        return rows

    def hot_checkpoint_uri(self) -> str:
        return self.checkpoint_uri.rstrip("/") + "/hot"

    def cold_checkpoint_uri(self) -> str:
        return self.checkpoint_uri.rstrip("/") + "/cold"

    def resolved_redis_password(self) -> str:
        """The Redis token: from the env, else fetched once from Secrets Manager."""
        if self.redis_password or not self.redis_password_secret_arn:
            return self.redis_password
        import boto3

        client = boto3.client("secretsmanager", region_name=self.aws_region)
        return str(client.get_secret_value(SecretId=self.redis_password_secret_arn)["SecretString"])


@dataclass(frozen=True)
class Resolution:
    """How a shell's environment was completed: variables to add, and what to tell the user."""

    added: Mapping[str, str] = field(default_factory=dict)
    problem: str = ""  # non-empty: the pipeline's services are not reachable; says what to run


def resolve_environment(
    environ: Mapping[str, str],
    local_env: Mapping[str, str],
    missing_local_services: Callable[[], list[str]],
    aws_credentials: Callable[[], bool],
) -> Resolution:
    """The one rule every `pulse` command starts with.

    A shell that names no endpoint (none of ENDPOINT_SETTINGS) uses the local stack when it answers,
    with the values `pulse local env` prints (``local_env``); variables already set are kept. If the
    stack is down and no AWS credentials are found either, nothing can work: ``problem`` says what
    to run. The probes are callables so that a configured shell costs nothing.
    """
    if any(environ.get(name) for name in ENDPOINT_SETTINGS):
        return Resolution()
    missing = missing_local_services()
    if not missing:
        return Resolution(added={k: v for k, v in local_env.items() if not environ.get(k)})
    if aws_credentials():
        return Resolution()
    return Resolution(
        problem=(
            f"no endpoint is configured and the local stack is not answering ({', '.join(missing)}): "
            "run `pulse local up` (every command then finds it), or point PULSE_KAFKA_BOOTSTRAP, PULSE_REDIS_URL "
            "and AWS_ENDPOINT_URL at your services, or set AWS credentials for a deployment (`pulse config`)"
        )
    )
