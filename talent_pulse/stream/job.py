"""The streaming job: two queries over the postings topic, each exactly once with its own checkpoint.

- hot path (talent_pulse.stream.hot_path): Kafka -> validate -> dedup -> enrich ->
  per-batch deltas -> one fenced Redis step, every PULSE_TRIGGER_SECONDS (1 s);
- cold path (talent_pulse.stream.cold_path): the same records into the lake every
  PULSE_COLD_TRIGGER_SECONDS (60 s), each batch after the hot path has caught up on any
  backlog (talent_pulse.stream.priority).

The hot path never waits for the lake. A failed cold batch is reported loudly and
its query restarted from its checkpoint after a pause while live counts go on; a
failed hot batch stops the job (exit 1) and replays when the job starts again.
Runs unchanged under `spark-submit --master local[2]` and on EMR Serverless;
everything comes from `Settings` (environment variables).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from pyspark.errors import StreamingQueryException
from pyspark.sql import SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from talent_pulse.serving import record_progress, redis_client
from talent_pulse.settings import Settings
from talent_pulse.spark_session import build_session
from talent_pulse.stream.cold_path import start_cold_query
from talent_pulse.stream.hot_path import start_hot_query
from talent_pulse.stream.metrics import BatchMetricsPublisher
from talent_pulse.stream.priority import HotPathFirst
from talent_pulse.stream.progress import BatchReports, ProgressListener

ERROR_LINE = re.compile(r"^[\w.]+(Error|Exception): ")
COLD_RESTART_PAUSE_SECONDS = 30.0


@dataclass
class Pipeline:
    """The job's two queries, each restartable on its own."""

    spark: SparkSession
    settings: Settings
    queries: dict[str, StreamingQuery] = field(default_factory=dict)
    sinks: dict[str, Any] = field(default_factory=dict)
    cold_failed_at: float | None = None

    def __post_init__(self) -> None:
        self.redis = redis_client(self.settings)
        self.metrics = BatchMetricsPublisher(self.settings)
        self.hot_path_first = HotPathFirst(self.settings.cold_yield_seconds)

    def start(self) -> None:
        self.spark.streams.addListener(ProgressListener(self.reports_of, self.publish, self.query_idle))
        self.in_pool("hot")
        self.queries["hot"], self.sinks["hot"] = start_hot_query(self.spark, self.settings)
        self.start_cold()

    def start_cold(self) -> None:
        self.in_pool("cold")
        self.queries["cold"], self.sinks["cold"] = start_cold_query(self.spark, self.settings, self.hot_path_first)
        self.cold_failed_at = None

    def in_pool(self, name: str) -> None:
        """A query started now runs its jobs in scheduler pool `name` (its thread inherits the property)."""
        self.spark.sparkContext.setLocalProperty("spark.scheduler.pool", name)

    def publish(self, report: dict[str, Any]) -> None:
        """Each finished batch's progress into the serving layer's progress hash; the hot path's also to
        CloudWatch (when PULSE_METRICS_NAMESPACE is set), where the stale-stream alarm watches it."""
        path = next((path for path, query in self.queries.items() if query.name == report["query"]), None)
        if path is not None:
            record_progress(self.redis, self.settings.serving_namespace, path, report)
        if path == "hot":
            self.hot_path_first.hot_reported(report["records_behind"])
            self.metrics.publish(report)

    def query_idle(self, query_id: str) -> None:
        """A query found no new records: if it is the hot path, it has no backlog."""
        hot = self.queries.get("hot")
        if hot is not None and hot.id == query_id:
            self.hot_path_first.hot_reported(0)

    def reports_of(self, query_name: str | None) -> BatchReports | None:
        for path, query in list(self.queries.items()):
            if query.name == query_name:
                reports: BatchReports = self.sinks[path].reports
                return reports
        return None

    def idle(self) -> bool:
        return all(
            query.lastProgress is not None
            and not query.status["isTriggerActive"]
            and not query.status["isDataAvailable"]
            for query in self.queries.values()
        )

    def check(self, restart_cold: bool) -> None:
        """Raise the hot query's failure; report a cold failure and restart that query after a pause.

        Without `restart_cold` (a run that stops when idle) a cold failure is raised like a hot one.
        """
        hot = self.queries["hot"]
        if not hot.isActive:
            hot.awaitTermination()  # raises the failure that ended it
        cold = self.queries["cold"]
        if not cold.isActive and not restart_cold:
            cold.awaitTermination()
        if not cold.isActive and self.cold_failed_at is None:
            failure = cold.exception()
            self.cold_failed_at = time.monotonic()
            print(
                f"cold path failed: {failure_summary(str(failure))}\n  live counts go on; the cold path restarts "
                f"from its checkpoint in {COLD_RESTART_PAUSE_SECONDS:.0f}s",
                flush=True,
            )
        elif self.cold_failed_at is not None and time.monotonic() - self.cold_failed_at > COLD_RESTART_PAUSE_SECONDS:
            self.start_cold()

    def stop(self) -> None:
        self.hot_path_first.stop()
        for query in self.queries.values():
            if query.isActive:
                query.stop()
        self.metrics.flush()


def run(settings: Settings, until_idle: float | None = None) -> None:
    """Run both queries; with `until_idle`, stop cleanly once neither has seen a record for that many seconds."""
    spark = build_session(settings)
    pipeline = Pipeline(spark, settings)
    pipeline.start()
    print(
        f"streaming {settings.postings_topic} from {settings.kafka_bootstrap}: hot path every "
        f"{settings.trigger_seconds:g}s to Redis, cold path every {settings.cold_trigger_seconds:g}s to "
        f"{settings.lake_uri}; checkpoints under {settings.checkpoint_uri}",
        flush=True,
    )
    idle_since = time.monotonic()
    try:
        while True:
            time.sleep(0.5)
            pipeline.check(restart_cold=until_idle is None)
            if not pipeline.idle() or pipeline.cold_failed_at is not None:
                idle_since = time.monotonic()
            elif until_idle is not None and time.monotonic() - idle_since > until_idle:
                print(f"no new record for {until_idle:.0f}s: stopping", flush=True)
                pipeline.stop()
                return
    except StreamingQueryException as failure:
        pipeline.stop()
        print(
            f"streaming query failed: {failure_summary(str(failure))}\n  the failed batch is replayed from the "
            "checkpoint when the job starts again: fix the cause, then restart it",
            flush=True,
        )
        raise SystemExit(1) from failure


def failure_summary(message: str) -> str:
    """The first line of a query failure and its innermost error (e.g. the exception a sink raised)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    causes = [line for line in lines if ERROR_LINE.match(line)]
    return " | ".join(dict.fromkeys(lines[:1] + causes[-1:]))
