"""Per-batch progress of the job's queries, through Spark's StreamingQueryListener API.

Each sink files what it counted under the batch id (`BatchReports`); when Spark
reports the batch finished, the listener joins that with Spark's own progress
(durations, input rows) and prints one `PULSE_BATCH {json}` line, which
`pulse stream` and the benchmarks read.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pyspark.sql.streaming.listener import (
    QueryIdleEvent,
    QueryProgressEvent,
    QueryStartedEvent,
    QueryTerminatedEvent,
    StreamingQueryListener,
)

PROGRESS_PREFIX = "PULSE_BATCH "
KEPT_REPORTS = 64


class BatchReports:
    """What a sink counted per batch id, until the listener takes it (bounded, oldest dropped)."""

    def __init__(self) -> None:
        self._reports: OrderedDict[int, dict[str, Any]] = OrderedDict()

    def file(self, batch_id: int, report: dict[str, Any]) -> None:
        self._reports[batch_id] = report
        while len(self._reports) > KEPT_REPORTS:
            self._reports.popitem(last=False)

    def take(self, batch_id: int) -> dict[str, Any] | None:
        return self._reports.pop(batch_id, None)


class StepClock:
    """Milliseconds spent in each named step of a batch, for the progress report."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()
        self.steps: dict[str, int] = {}

    def step(self, name: str) -> None:
        now = time.monotonic()
        self.steps[name] = round((now - self.last) * 1000)
        self.last = now

    def total(self) -> float:
        return round(time.monotonic() - self.started, 3)


def _offsets(text: str | None) -> dict[tuple[str, str], int]:
    """A source's offsets as Spark reports them for Kafka ({"topic": {"partition": offset}}), flattened; empty
    when there are none (PySpark may turn a missing value into the text "None")."""
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {
        (topic, partition): int(offset)
        for topic, partitions in parsed.items()
        if isinstance(partitions, dict)
        for partition, offset in partitions.items()
    }


def records_behind(progress: Any) -> int:
    """Records the sources held beyond the batch's end when Spark planned it: more than the batch's bound
    (maxOffsetsPerTrigger) let it take, so the query is catching up on a backlog. 0 when a source does not
    report its latest offsets."""
    behind = 0
    for source in progress.sources or []:
        end = _offsets(source.endOffset)
        behind += sum(max(0, latest - end.get(key, 0)) for key, latest in _offsets(source.latestOffset).items())
    return behind


def progress_report(progress: Any, sink_report: dict[str, Any]) -> dict[str, Any]:
    """One finished micro-batch: Spark's own progress plus what the sink counted."""
    durations = progress.durationMs or {}
    return {
        "query": progress.name,
        "batch": progress.batchId,
        "input_rows": progress.numInputRows,
        "records_behind": records_behind(progress),
        **sink_report,
        "trigger_ms": durations.get("triggerExecution"),
        "sink_ms": durations.get("addBatch"),
        "durations_ms": dict(durations),
    }


class ProgressListener(StreamingQueryListener):
    """Prints each finished batch that a sink reported on, as `PULSE_BATCH {json}`, and passes it to `publish`;
    passes the id of a query that found no new records to `idle` (Spark says so on its first idle trigger, then
    every spark.sql.streaming.noDataProgressEventInterval)."""

    def __init__(
        self,
        reports_of: Callable[[str | None], BatchReports | None],
        publish: Callable[[dict[str, Any]], None] = lambda report: None,
        idle: Callable[[str], None] = lambda query_id: None,
    ):
        self.reports_of = reports_of
        self.publish = publish
        self.idle = idle

    def onQueryStarted(self, event: QueryStartedEvent) -> None:
        pass

    def onQueryProgress(self, event: QueryProgressEvent) -> None:
        progress = event.progress
        reports = self.reports_of(progress.name)
        sink_report = reports.take(progress.batchId) if reports is not None else None
        if sink_report is None:
            return
        report = progress_report(progress, sink_report)
        print(PROGRESS_PREFIX + json.dumps(report), flush=True)
        self.publish(report)

    def onQueryIdle(self, event: QueryIdleEvent) -> None:
        self.idle(str(event.id))

    def onQueryTerminated(self, event: QueryTerminatedEvent) -> None:
        pass
