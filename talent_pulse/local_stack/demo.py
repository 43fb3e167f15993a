"""The demo pipeline on top of the local stack: streaming job, producer and dashboard.

Each runs as a supervised process (pid file, log file) exactly like the stack's
services, so `pulse demo stop` stops only what `pulse demo start` started.
"""

from __future__ import annotations

import sys
import time
import urllib.request
from pathlib import Path

from talent_pulse.jvm_build import Log
from talent_pulse.local_stack.supervisor import LocalStack, Service
from talent_pulse.settings import Settings

DEMO_RATE = 40  # postings per second: enough to make the live charts move
DEMO_CHAOS = 0.02


def _pulse(*args: str) -> list[str]:
    return [sys.executable, "-m", "talent_pulse.cli.main", *args]


class StreamingJob(Service):
    name = "stream"

    def command(self) -> list[str]:
        return _pulse("stream")

    def probe(self) -> str:
        return "spark-submit running (progress in its log)"


class Producer(Service):
    name = "producer"

    def command(self) -> list[str]:
        # a fresh seed per start: the same seed would replay the same event_ids, which dedup drops
        return _pulse(
            "produce",
            "--rate",
            str(DEMO_RATE),
            "--duration",
            "0",
            "--chaos",
            str(DEMO_CHAOS),
            "--seed",
            str(int(time.time())),
        )

    def probe(self) -> str:
        return f"publishing ~{DEMO_RATE} postings/s with {DEMO_CHAOS:.0%} chaos"


class Dashboard(Service):
    name = "dashboard"

    def __init__(self, settings: Settings, data_dir: Path, log: Log = print):
        super().__init__(settings, data_dir, log)
        self.port = self.settings.dashboard_port

    def command(self) -> list[str]:
        return _pulse("dashboard")

    def probe(self) -> str:
        with urllib.request.urlopen(f"http://{self.address}/_stcore/health", timeout=2) as response:
            return f"http://{self.address} ({response.read().decode().strip()})"


class DemoPipeline(LocalStack):
    def __init__(self, settings: Settings, log: Log = print):
        super().__init__(settings, log)
        self.services = [cls(settings, self.data_dir, log) for cls in (StreamingJob, Producer, Dashboard)]

    def up(self) -> None:
        self.log(f"starting the demo pipeline (logs under {self.data_dir / 'logs'})")
        for service in self.services:
            service.start()
