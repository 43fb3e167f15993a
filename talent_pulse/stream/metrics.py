"""Per-batch CloudWatch metrics of the streaming job (the freshness alarm watches them).

The job's StreamingQueryListener hands each micro-batch's progress to
`BatchMetricsPublisher.publish` as a flat dict, e.g.
{"batch": 7, "rows_in": 120, "accepted": 110, "quarantined": 5, "seconds": 0.8, "query": "hot"}.
Every numeric key becomes a metric named in CamelCase (rows_in -> RowsIn); keys ending in
`seconds` are in Seconds, the rest are counts. "batch" (the id) and "query" (a dimension) are
not metrics. Each batch also counts 1 in `Batches` without the query dimension: the
deployment-wide heartbeat that the freshness alarm (infra/alarms.tf) watches.

Publishing is off unless PULSE_METRICS_NAMESPACE is set (Terraform sets it on AWS). Data is
buffered and put at most every PULSE_METRICS_FLUSH_SECONDS (one PutMetricData call per batch at a
2 s trigger would be 1.3 M calls, ~$13, a month); CloudWatch keeps each datum's own timestamp.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from talent_pulse.settings import Settings

HEARTBEAT_METRIC = "Batches"
QUERY_DIMENSION = "Query"
BATCH_ID_KEY = "batch"
QUERY_KEY = "query"
MAX_DATA_PER_PUT = 1000  # CloudWatch's limit per PutMetricData call


def metric_name(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.split("_") if part)


def parse_dimensions(text: str) -> dict[str, str]:
    """ "Deployment=talent-pulse,Stage=prod" -> {"Deployment": "talent-pulse", "Stage": "prod"}."""
    dimensions = {}
    for pair in filter(None, (item.strip() for item in text.split(","))):
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"PULSE_METRICS_DIMENSIONS needs Name=Value pairs separated by commas, got {pair!r}")
        dimensions[name.strip()] = value.strip()
    return dimensions


def _cloudwatch_dimensions(dimensions: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in sorted(dimensions.items())]


def batch_metric_data(
    progress: Mapping[str, Any], dimensions: Mapping[str, str], timestamp: datetime
) -> list[dict[str, Any]]:
    """CloudWatch MetricData of one micro-batch's progress (pure)."""
    per_query = dict(dimensions)
    if progress.get(QUERY_KEY):
        per_query[QUERY_DIMENSION] = str(progress[QUERY_KEY])
    data = [
        {
            "MetricName": HEARTBEAT_METRIC,
            "Dimensions": _cloudwatch_dimensions(dimensions),
            "Timestamp": timestamp,
            "Value": 1.0,
            "Unit": "Count",
        }
    ]
    for key, value in sorted(progress.items()):
        if key in (BATCH_ID_KEY, QUERY_KEY) or isinstance(value, bool) or not isinstance(value, numbers.Real):
            continue
        data.append(
            {
                "MetricName": metric_name(key),
                "Dimensions": _cloudwatch_dimensions(per_query),
                "Timestamp": timestamp,
                "Value": float(value),
                "Unit": "Seconds" if key.endswith("seconds") else "Count",
            }
        )
    return data


class BatchMetricsPublisher:
    """Puts the batches' metrics to CloudWatch; a no-op when PULSE_METRICS_NAMESPACE is empty.

    `publish` buffers one batch and puts the buffer once metrics_flush_seconds have passed since
    the last put; `flush` puts what is left (call it when the query stops). A failed put raises
    and keeps the buffer: the caller decides whether a missing metric may stop anything.
    """

    def __init__(self, settings: Settings, client: Any = None, clock: Callable[[], float] = time.monotonic):
        self.namespace = settings.metrics_namespace
        self.dimensions = parse_dimensions(settings.metrics_dimensions)
        self.flush_seconds = settings.metrics_flush_seconds
        self._settings = settings
        self._client = client
        self._clock = clock
        self._buffer: list[dict[str, Any]] = []
        self._last_put = clock()

    @property
    def enabled(self) -> bool:
        return bool(self.namespace)

    def _cloudwatch(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("cloudwatch", region_name=self._settings.aws_region)
        return self._client

    def publish(self, progress: Mapping[str, Any], timestamp: datetime | None = None) -> None:
        if not self.enabled:
            return
        self._buffer += batch_metric_data(progress, self.dimensions, timestamp or datetime.now(UTC))
        if self._clock() - self._last_put >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        while self._buffer:
            chunk = self._buffer[:MAX_DATA_PER_PUT]
            self._cloudwatch().put_metric_data(Namespace=self.namespace, MetricData=chunk)
            del self._buffer[: len(chunk)]
        self._last_put = self._clock()
