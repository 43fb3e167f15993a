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


def progress_report(progress: Any, sink_report: dict[str, Any]) -> dict[str, Any]:
    """One finished micro-batch: Spark's own progress plus what the sink counted."""
    durations = progress.durationMs or {}
    return {
        "query": progress.name,
        "batch": progress.batchId,
        "input_rows": progress.numInputRows,
        **sink_report,
        "trigger_ms": durations.get("triggerExecution"),
        "sink_ms": durations.get("addBatch"),
        "durations_ms": dict(durations),
    }


class ProgressListener(StreamingQueryListener):
    """Prints each finished batch that a sink reported on, as `PULSE_BATCH {json}`."""

    def __init__(
        self,
        reports_of: Callable[[str | None], BatchReports | None],
        publish: Callable[[dict[str, Any]], None] = lambda report: None,
    ):
        self.reports_of = reports_of
        self.publish = publish

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
        pass

    def onQueryTerminated(self, event: QueryTerminatedEvent) -> None:
        pass
