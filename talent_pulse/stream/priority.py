"""The hot path first: a cold-path batch waits while the hot path catches up on a backlog.

Both queries share the job's cores, and a cold batch holds one of them for tens of
seconds (its lake commit is one task, which the scheduler cannot preempt). While the
hot path is behind Kafka, a backlog after an outage or at start-up, each cold batch
waits before it reads anything, for at most PULSE_COLD_YIELD_SECONDS, so the live
counts catch up first and the lake a little later. The wait uses no core: the batch's
offsets are fixed, its records are not read yet. The hot path's backlog comes from
Spark's own progress (`progress.records_behind`), which the job's listener passes on.
"""

from __future__ import annotations

import threading
import time


class HotPathFirst:
    """What the hot path last reported about its backlog, and the cold path's wait for it."""

    POLL_SECONDS = 0.5

    def __init__(self, max_wait_seconds: float):
        self.max_wait_seconds = max_wait_seconds
        self._hot_behind: int | None = None  # None until the hot path's first batch reports
        self._stopping = threading.Event()

    def hot_reported(self, records_behind: int) -> None:
        """The hot path finished a batch that left `records_behind` records in Kafka."""
        self._hot_behind = records_behind

    def hot_is_behind(self) -> bool:
        return self._hot_behind is None or self._hot_behind > 0

    def stop(self) -> None:
        """The job is stopping: a waiting cold batch goes on now (and is stopped with its query)."""
        self._stopping.set()

    def wait_for_hot_path(self) -> float:
        """Block while the hot path is behind (or has not reported yet), at most max_wait_seconds; the seconds
        waited."""
        started = time.monotonic()
        deadline = started + self.max_wait_seconds
        while self.hot_is_behind() and not self._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._stopping.wait(min(self.POLL_SECONDS, left))
        return time.monotonic() - started
