"""Per-batch CloudWatch metrics of the streaming job (the freshness alarm watches them).

The job's StreamingQueryListener hands each micro-batch's progress to
`BatchMetricsPublisher.publish` as a flat dict, e.g.
{"batch": 7, "rows_in": 120, "accepted": 110, "quarantined": 5, "seconds": 0.8, "query": "hot"}.
Every numeric key becomes a metric named in CamelCase (rows_in -> RowsIn); keys ending in
`seconds` are in Seconds, the rest are counts. "batch" (the id) and "query" (a dimension) are
not metrics. Each batch also counts 1 in `Batches` without the query dimension: the
deployment-wide heartbeat that the freshness alarm (infra/alarms.tf) watches.

Publishing is off unless PULSE_METRICS_NAMESPACE is set (Terraform sets it on AWS).
"""

from __future__ import annotations

import numbers
from datetime import datetime, timezone
from typing import Any, Mapping

from talent_pulse.settings import Settings

HEARTBEAT_METRIC = "Batches"
QUERY_DIMENSION = "Query"
BATCH_ID_KEY = "batch"
QUERY_KEY = "query"


def metric_name(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.split("_") if part)


def parse_dimensions(text: str) -> dict[str, str]:
    """"Deployment=talent-pulse,Stage=prod" -> {"Deployment": "talent-pulse", "Stage": "prod"}."""
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
    data = [{
        "MetricName": HEARTBEAT_METRIC,
        "Dimensions": _cloudwatch_dimensions(dimensions),
        "Timestamp": timestamp,
        "Value": 1.0,
        "Unit": "Count",
    }]
    for key, value in sorted(progress.items()):
        if key in (BATCH_ID_KEY, QUERY_KEY) or isinstance(value, bool) or not isinstance(value, numbers.Real):
            continue
        data.append({
            "MetricName": metric_name(key),
            "Dimensions": _cloudwatch_dimensions(per_query),
            "Timestamp": timestamp,
            "Value": float(value),
            "Unit": "Seconds" if key.endswith("seconds") else "Count",
        })
    return data


class BatchMetricsPublisher:
    """Puts each batch's metrics to CloudWatch; a no-op when PULSE_METRICS_NAMESPACE is empty.

    A failed put raises: the caller decides whether a missing metric may stop anything.
    """

    def __init__(self, settings: Settings, client: Any = None):
        self.namespace = settings.metrics_namespace
        self.dimensions = parse_dimensions(settings.metrics_dimensions)
        self._settings = settings
        self._client = client

    @property
    def enabled(self) -> bool:
        return bool(self.namespace)

    def _cloudwatch(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("cloudwatch", region_name=self._settings.aws_region)
        return self._client

    def publish(self, progress: Mapping[str, Any], timestamp: datetime | None = None) -> None:
        if not self.enabled:
            return
        data = batch_metric_data(progress, self.dimensions, timestamp or datetime.now(timezone.utc))
        self._cloudwatch().put_metric_data(Namespace=self.namespace, MetricData=data)
