"""The dashboard in headless Debian Chromium (Playwright driving /usr/bin/chromium), on the real pipeline.

Runs the local pipeline on this test's own topic, serving namespace and lake —
`pulse stream`, `pulse produce --rate …` and `pulse dashboard` as subprocesses —
waits for the KPIs to show live numbers that move, checks the world map (country
outlines served by the dashboard itself, a bubble per city, a chosen skill's share),
switches the category filter, opens History (rows from the Parquet the job wrote) and
Health, and saves screenshots to test-artifacts/:

    dashboard-live.png, dashboard-map.png, dashboard-map-skill.png, dashboard-filtered.png,
    dashboard-history.png, dashboard-health.png

Any failure message ends with the tails of the subprocesses' logs.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from serving_support import delete_namespace

from talent_pulse.serving import redis_client

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "dashboard"))
import views  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PRODUCE_RATE = 20  # postings per second: every micro-batch has some, none is large
PRODUCE_SECONDS = 900  # the producer and the job also stop on their own if this test is killed
JOB_IDLE_STOP_SECONDS = 60
# spark-submit, the JVM and the first micro-batch against the S3 emulator on a busy 2-core machine
FIRST_BATCH_SECONDS = 420
NEXT_BATCH_SECONDS = 240
LOG_TAIL_CHARS = 4000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Pipeline:
    """`pulse stream`, `pulse produce` and `pulse dashboard` as process groups, each logging to its own file."""

    def __init__(self, settings, folder: Path):
        self.settings, self.folder = settings, folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update({row["env"]: str(row["value"]) for row in settings.describe() if row["value"] != "****"})
        self.env.update(
            {
                "PULSE_DASHBOARD_PORT": str(self.port),
                "PULSE_TRIGGER_SECONDS": "1",
                # Each lake commit adds ~200 small files (one per day and location) and History reads every one
                # through the S3 emulator: a commit every 2 min keeps the lake to a few commits, as compaction would.
                "PULSE_COLD_TRIGGER_SECONDS": "120",
                "PULSE_MAX_OFFSETS_PER_TRIGGER": "2000",
                "PULSE_DATA_DIR": str(folder / "data"),
            }
        )  # the Spark driver log of this job only
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        with (self.folder / f"{name}.log").open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "talent_pulse.cli.main", *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def stop(self) -> None:
        for process in reversed(self.processes.values()):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes.values()):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def exited(self) -> list[str]:
        return [
            f"`pulse {name}` exited with {p.returncode}" for name, p in self.processes.items() if p.poll() is not None
        ]

    def logs(self) -> str:
        tails = []
        for log in sorted(self.folder.glob("*.log")) + sorted((self.folder / "data").glob("logs/*.log")):
            tails.append(
                f"--- {log.relative_to(self.folder)} (last {LOG_TAIL_CHARS} characters)\n"
                f"{log.read_text(errors='replace')[-LOG_TAIL_CHARS:]}"
            )
        return "\n".join(tails)

    def fail(self, message: str):
        pytest.fail("\n".join([message, *self.exited(), self.logs()]), pytrace=False)

    def wait_for(self, predicate, timeout: float, what: str):
        """The predicate's first truthy value; fails with the logs on timeout or when a process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.exited():
            value = predicate()
            if value:
                return value
            time.sleep(1)
        self.fail(
            f"timed out after {timeout:.0f} s waiting for {what}"
            if not self.exited()
            else f"a pipeline process died while waiting for {what}"
        )

    def dashboard_healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                return response.read().strip() == b"ok"
        except OSError:
            return False


@pytest.fixture
def pipeline(isolated_settings, tmp_path):
    pipeline = Pipeline(isolated_settings, tmp_path)
    try:
        pipeline.start("stream", "stream", "--until-idle", str(JOB_IDLE_STOP_SECONDS))
        pipeline.start(
            "produce",
            "produce",
            "--rate",
            str(PRODUCE_RATE),
            "--duration",
            str(PRODUCE_SECONDS),
            "--chaos",
            "0.05",
            "--seed",
            str(random.randrange(1 << 30)),
        )
        pipeline.start("dashboard", "dashboard")
        pipeline.wait_for(pipeline.dashboard_healthy, 60, "the dashboard's health check")
        yield pipeline
    finally:
        pipeline.stop()
        delete_namespace(redis_client(isolated_settings), isolated_settings.serving_namespace)


@contextlib.contextmanager
def explained_by(pipeline: Pipeline, browser):
    """Any failure also shows what the page showed (text and dashboard-failure.png) and the pipeline's logs."""
    try:
        yield
    except (Exception, pytest.fail.Exception) as exc:  # pytest's failure is not an Exception
        shown = ""
        for page in browser.pages:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / "dashboard-failure.png"), full_page=True)
                shown = page.inner_text("body", timeout=5_000)[-LOG_TAIL_CHARS:]
        page_text = f"--- the page showed (screenshot: {ARTIFACTS / 'dashboard-failure.png'})\n{shown}"
        if isinstance(exc, pytest.fail.Exception):
            pytest.fail(f"{exc}\n{page_text}", pytrace=False)
        pipeline.fail(f"{exc.__class__.__name__}: {exc}\n{page_text}")


def kpi(page, label: str) -> int:
    """The KPI's number, 0 while the page still shows the empty state."""
    card = page.locator('[data-testid="stMetric"]', has_text=label)
    if card.count() == 0:
        return 0
    text = card.first.locator('[data-testid="stMetricValue"]').inner_text(timeout=10_000)
    return int(re.sub(r"[^\d]", "", text) or 0)


def query_notes_with_rows(page) -> int:
    """History notes of finished queries that returned rows, 0 while any query of the page still runs."""
    if page.get_by_text("Querying history").count():
        return 0
    return page.get_by_text(re.compile(r"DuckDB: [1-9][\d,]* rows?, .* scanned")).count()


# The map, not a stale copy: while Streamlit re-runs the page it can keep the previous element, marked
# data-stale, beside the new one for a moment.
MAP = '[data-testid="stPlotlyChart"]:not([data-stale="true"] *)'


def map_layers(page) -> tuple[int, int]:
    """(country outlines drawn, city bubbles drawn) in the Plotly map."""
    chart = page.locator(MAP)
    return chart.locator("g.geo path").count(), chart.locator("g.scattergeo path.point").count()


def map_screenshot(pipeline: Pipeline, page, name: str) -> None:
    """The map as it is now; the live refresh re-renders it every second, so a shot that loses its element is
    taken again."""
    from playwright.sync_api import Error

    def shot() -> bool:
        try:
            page.locator(MAP).first.screenshot(path=str(ARTIFACTS / name), timeout=5_000)
        except Error:
            return False
        return True

    pipeline.wait_for(shot, 30, f"a screenshot of the map ({name})")


def no_exception_shown(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, "the app showed a stack trace"


def test_dashboard_in_chromium_on_the_live_pipeline(pipeline, tmp_path):
    from playwright.sync_api import sync_playwright

    category = views.load_reference().skill_category["Python"]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 2200},
        )
        try:
            with explained_by(pipeline, browser):
                page = browser.new_page()
                failed_requests: list[str] = []
                page.on("requestfailed", lambda request: failed_requests.append(request.url))
                page.goto(pipeline.url)
                page.get_by_text("Global Talent Pulse").first.wait_for(timeout=60_000)
                first = pipeline.wait_for(
                    lambda: kpi(page, "Postings processed"),
                    FIRST_BATCH_SECONDS,
                    "a live postings count (the streaming job's first micro-batch)",
                )
                moved = pipeline.wait_for(
                    lambda: max(0, kpi(page, "Postings processed") - first),
                    NEXT_BATCH_SECONDS,
                    "the postings count to move (the next micro-batch)",
                )
                assert moved > 0
                # postings in the last 60 s of event time: 0 while the job trails the producer by more than that
                pipeline.wait_for(
                    lambda: kpi(page, "Postings / min"),
                    NEXT_BATCH_SECONDS,
                    "postings in the last minute of event time (the job catching up)",
                )
                page.get_by_text("Skills that travel together").wait_for()
                no_exception_shown(page)
                page.screenshot(path=str(ARTIFACTS / "dashboard-live.png"))

                # The map renders offline: outlines come from the dashboard's own static file, not a CDN or tiles.
                pipeline.wait_for(
                    lambda: (lambda layers: layers if layers[0] > 100 and layers[1] > 0 else None)(map_layers(page)),
                    60,
                    "the world map's country outlines and city bubbles",
                )
                assert not [url for url in failed_requests if "/app/static/" in url or "plot.ly" in url], (
                    failed_requests
                )
                pipeline.wait_for(lambda: page.locator(MAP).count() == 1, 30, "exactly one map on the page")
                the_map = page.locator(MAP).first
                map_screenshot(pipeline, page, "dashboard-map.png")
                top_skill = page.locator('[data-testid="stSelectbox"]', has_text="Skill on the map")
                top_skill.click()
                skill = page.get_by_role("option").nth(1)  # the first skill after "All postings": the top skill
                skill_name = skill.inner_text()
                skill.click()
                pipeline.wait_for(
                    lambda: the_map.locator(".colorbar").count() > 0,
                    30,
                    f"the map to colour cities by {skill_name}'s share",
                )
                pipeline.wait_for(lambda: map_layers(page)[1] > 0, 30, f"city bubbles coloured by {skill_name}")
                no_exception_shown(page)
                map_screenshot(pipeline, page, "dashboard-map-skill.png")

                categories = page.locator('[data-testid="stMultiSelect"]', has_text="Skill category")
                categories.locator("input").click()
                page.get_by_role("option", name=category, exact=True).click()
                page.keyboard.press("Escape")
                pipeline.wait_for(
                    lambda: categories.locator("[data-tag]").all_inner_texts() == [category],
                    30,
                    f"the category filter {category!r} to apply",
                )
                page.get_by_text("Top skills").wait_for()
                page.wait_for_timeout(2500)  # one refresh of the live fragment under the filter
                no_exception_shown(page)
                page.screenshot(path=str(ARTIFACTS / "dashboard-filtered.png"))

                page.get_by_role("tab", name="History").click()  # opening the tab runs its queries now
                # weekly demand, rising skills and location comparison, each over the Parquet the job wrote
                pipeline.wait_for(
                    lambda: query_notes_with_rows(page) == 3,
                    300,
                    "the three history queries to return rows from the Parquet the job wrote",
                )
                no_exception_shown(page)
                page.screenshot(path=str(ARTIFACTS / "dashboard-history.png"))

                page.get_by_role("tab", name="Health").click()
                page.get_by_text("Last batch id").wait_for(timeout=60_000)
                pipeline.wait_for(lambda: kpi(page, "Rejected") > 0, 60, "the chaos records counted as rejected")
                pipeline.wait_for(
                    lambda: query_notes_with_rows(page) == 2, 180, "the quarantine counts and examples from the lake"
                )
                no_exception_shown(page)
                page.screenshot(path=str(ARTIFACTS / "dashboard-health.png"))
        finally:
            browser.close()
    for name in ("live", "map", "map-skill", "filtered", "history", "health"):
        assert (ARTIFACTS / f"dashboard-{name}.png").stat().st_size > 10_000
