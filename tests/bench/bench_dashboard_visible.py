"""Produce-to-screen: how long after a posting is sent the dashboard in a real browser shows it.

The demo's pipeline on a fresh topic, serving namespace and lake prefix: the streaming job (`pulse
stream`, its defaults: hot path every second, lake every minute) and the dashboard (`pulse dashboard`),
opened in headless Chromium. After a warm-up, postings are sent at each --rates entry for --seconds,
each a new posting. The k-th posting is on screen once the page's "Postings processed" KPI (read from
the page's DOM every ~30 ms) has grown by k; its latency is the first read that shows it, minus the
moment it was sent. Beside it, the reference: the same postings' count in Redis (polled every 20 ms),
the earliest any dashboard could show them. The difference is the page's refresh (every
`dashboard/app.py` REFRESH_SECONDS) and its render.

    python tests/bench/bench_dashboard_visible.py [--rates 1,40] [--seconds 60]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench_stream import isolated, percentile, remove_prefix, send_and_watch
from confluent_kafka.admin import AdminClient
from serving_support import delete_namespace

from talent_pulse.lake.catalog import sqlite_files
from talent_pulse.serving import redis_client, stats_json
from talent_pulse.settings import Settings

CHROMIUM = "/usr/bin/chromium"
KPI_LABEL = "Postings processed"
FIRST_BATCH_SECONDS = 420  # spark-submit, the JVMs and the first micro-batch on a busy 2-core machine
WARM_UP_SECONDS = 20
WARM_UP_RATE = 20.0


class ScreenCount:
    """The KPI as the page shows it, read in a thread of its own (Playwright's objects stay in one thread)."""

    def __init__(self, url: str, profile: Path):
        self.url, self.profile = url, profile
        self.value = -1  # -1 until the page shows the KPI
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch_persistent_context(
                    str(self.profile),
                    executable_path=CHROMIUM,
                    headless=True,
                    args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
                    viewport={"width": 1440, "height": 1200},
                )
                page = browser.new_page()
                page.goto(self.url)
                value = page.locator('[data-testid="stMetric"]', has_text=KPI_LABEL).locator(
                    '[data-testid="stMetricValue"]'
                )
                while not self.stop.is_set():
                    if value.count():
                        with contextlib.suppress(Exception):  # the element is re-rendered every refresh
                            self.value = int(re.sub(r"[^\d]", "", value.first.inner_text(timeout=1_000)) or 0)
                    time.sleep(0.03)
                browser.close()
        except BaseException as exc:  # reported by the main thread
            self.error = exc

    def read(self) -> int:
        if self.error is not None:
            raise SystemExit(f"the browser failed: {self.error}")
        return self.value

    def close(self) -> None:
        self.stop.set()
        self.thread.join(30)


def wait_until(predicate, timeout: float, what: str, processes: dict[str, subprocess.Popen]) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        dead = [f"`pulse {name}` exited with {p.returncode}" for name, p in processes.items() if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            raise SystemExit(f"{'; '.join(dead) or f'timed out after {timeout:.0f}s'} waiting for {what}")
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rates",
        type=lambda text: [float(r) for r in text.split(",")],
        default=[1.0, 40.0],
        help="postings/s of each measured phase, comma-separated (default 1,40: one at a time, and the demo's rate)",
    )
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase")
    parser.add_argument("--small", action="store_true", help="a short run that only proves the script works (CI)")
    args = parser.parse_args()
    if args.small:
        args.rates, args.seconds = [2.0], 8
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} not found: apt-get install -y chromium")
    base = Settings.from_env()
    settings, env = isolated(base, "dashboard", base.max_offsets_per_trigger, "s3")
    folder = Path(base.data_dir).resolve() / "bench" / settings.postings_topic
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env.update(PULSE_DASHBOARD_PORT=str(port), PULSE_DATA_DIR=str(folder))
    processes: dict[str, subprocess.Popen] = {}
    client = redis_client(settings)
    screen: ScreenCount | None = None
    try:
        for name in ("stream", "dashboard"):
            with (folder / f"{name}.log").open("w") as log:
                processes[name] = subprocess.Popen(
                    [sys.executable, "-m", "talent_pulse.cli.main", name],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        print(f"job and dashboard (http://127.0.0.1:{port}) started; logs in {folder}", flush=True)
        wait_until(lambda: dashboard_answers(port), 120, "the dashboard's health check", processes)
        screen = ScreenCount(f"http://127.0.0.1:{port}", folder / "chromium-profile")
        counters = {
            "redis": lambda: int(stats_json(client, settings.serving_namespace)["postings"]),
            "screen": screen.read,
        }
        warm = threading.Thread(target=send_and_watch, args=(settings, {}, WARM_UP_RATE, WARM_UP_SECONDS))
        warm.start()
        wait_until(lambda: screen.read() > 0, FIRST_BATCH_SECONDS, "the first posting on screen", processes)
        warm.join()
        warm_up = int(WARM_UP_RATE * WARM_UP_SECONDS)
        wait_until(
            lambda: counters["redis"]() >= warm_up and screen.read() >= warm_up,
            120,
            f"the {warm_up} warm-up postings on screen",
            processes,
        )
        print(f"warmed up: {screen.read()} postings on screen; measuring", flush=True)
        results = []
        for rate in args.rates:
            print(f"sending {rate:g}/s for {args.seconds:g}s", flush=True)
            results.append((rate, *send_and_watch(settings, counters, rate, args.seconds)))
    finally:
        if screen is not None:
            screen.close()
        for process in processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        delete_namespace(client, settings.serving_namespace)
        admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
        admin.delete_topics([settings.postings_topic])[settings.postings_topic].result(30)
        remove_prefix(settings)
        for catalog_file in sqlite_files(Path(settings.lake_catalog_uri.removeprefix("jdbc:sqlite:"))):
            catalog_file.unlink(missing_ok=True)
    print(f"\nproduce-to-visible, the streaming job's defaults, local[2], {args.seconds:g}s per rate")
    print(f"{'where':<58} {'rate':>6} {'p50':>8} {'p95':>8} {'max':>8} {'seen':>11}")
    labels = {
        "screen": "ours: the dashboard's KPI in Chromium",
        "redis": "reference: the count in Redis (the earliest a page can show)",
    }
    for rate, sent, latencies in results:
        for name in ("screen", "redis"):
            seen = latencies[name]
            print(
                f"{labels[name]:<58} {rate:>5g}/s {percentile(seen, 0.5):>7.2f}s {percentile(seen, 0.95):>7.2f}s "
                f"{max(seen, default=float('nan')):>7.2f}s {len(seen):>5}/{sent:<5}"
            )
    shutil.rmtree(folder, ignore_errors=True)  # kept when the run fails: the job's and the dashboard's logs


def dashboard_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return bool(response.read().strip() == b"ok")
    except OSError:
        return False


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    main()
