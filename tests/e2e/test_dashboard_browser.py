"""The dashboard in headless Debian Chromium (Playwright driving /usr/bin/chromium).

Starts `pulse dashboard` against the local stack with numbers that keep moving,
waits for the KPIs to show live numbers that change, switches a filter, opens
History and Health, and saves screenshots to test-artifacts/:

    dashboard-live.png, dashboard-filtered.png, dashboard-history.png, dashboard-health.png
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

import boto3
import pytest
from lake_samples import sample_lake_rows, upload_lake, write_lake

from talent_pulse.serving import BatchDelta, apply_batch, redis_client

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "dashboard"))
import views  # noqa: E402


pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SKILLS = ("Python", "SQL", "AWS", "Docker", "Kubernetes", "Java")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(settings, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update({row["env"]: str(row["value"]) for row in settings.describe() if row["value"] != "****"})
    env["PULSE_DASHBOARD_PORT"] = str(port)
    return env


class LiveFeed(threading.Thread):
    """Applies a fenced batch every half second through the serving layer, so the numbers move."""

    def __init__(self, settings, locations: list[str]):
        super().__init__(daemon=True)
        self.settings, self.locations = settings, locations
        self.halt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        client = redis_client(self.settings)
        batch_id = 0
        try:
            while not self.halt.is_set():
                now = time.time()
                n = 10 + batch_id % 7
                skills = {s: max(1, n - i * (1 + batch_id % 3)) for i, s in enumerate(SKILLS)}
                place = self.locations[batch_id % len(self.locations)]
                apply_batch(client, self.settings.serving_namespace, "e2e", batch_id, BatchDelta(
                    postings=n, rejected=batch_id % 2, duplicates=batch_id % 3, skills=skills,
                    locations={place: n}, location_skills={place: skills},
                    minute_skills={int(now // 60): skills}, hour_skills={int(now // 3600): skills},
                    minute_postings={int(now // 60): n}, hour_postings={int(now // 3600): n},
                    pairs={("Python", "SQL"): n // 2, ("AWS", "Docker"): n // 3},
                    remote={"remote": n // 3, "onsite": n - n // 3}, seniority={"mid": n // 2, "senior": n - n // 2},
                    rejected_reasons={"malformed_json": batch_id % 2},
                    last_event_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))))
                batch_id += 1
                self.halt.wait(0.5)
        except BaseException as exc:  # reported by the test, not lost in a thread
            self.error = exc


@pytest.fixture
def dashboard(isolated_settings, tmp_path):
    reference = views.load_reference()
    locations = sorted(reference.location_region)[:3]
    postings, quarantine = sample_lake_rows(date.today())
    write_lake(tmp_path, postings, quarantine)
    upload_lake(tmp_path, boto3.client("s3", region_name=isolated_settings.aws_region), isolated_settings.lake_uri)

    feed = LiveFeed(isolated_settings, locations)
    feed.start()
    port = free_port()
    log = (tmp_path / "dashboard.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "talent_pulse.cli.main", "dashboard"],
                              env=environment(isolated_settings, port), stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server, tmp_path / "dashboard.log")
        yield url, feed, reference.skill_category[SKILLS[0]]
    finally:
        feed.halt.set()
        feed.join(10)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
        log.close()


def wait_healthy(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"pulse dashboard exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"dashboard not healthy after {timeout:.0f} s:\n{log.read_text()}")


def kpi(page, label: str) -> int:
    card = page.locator('[data-testid="stMetric"]', has_text=label).first
    text = card.locator('[data-testid="stMetricValue"]').inner_text(timeout=30_000)
    return int(re.sub(r"[^\d]", "", text) or -1)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def test_dashboard_in_chromium(dashboard, tmp_path):
    from playwright.sync_api import sync_playwright

    url, feed, category = dashboard
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 2200})
        try:
            page = browser.new_page()
            page.goto(url)
            page.get_by_text("Postings processed").first.wait_for(timeout=60_000)
            first = wait_for(lambda: kpi(page, "Postings processed") > 0 and kpi(page, "Postings processed"),
                             60, "a live postings count")
            moved = wait_for(lambda: kpi(page, "Postings processed") > first and kpi(page, "Postings processed"),
                             30, "the postings count to move")
            assert moved > first
            page.get_by_text("Skills that travel together").wait_for()
            page.screenshot(path=str(ARTIFACTS / "dashboard-live.png"))

            categories = page.locator('[data-testid="stMultiSelect"]', has_text="Skill category")
            categories.locator("input").click()
            page.get_by_role("option", name=category, exact=True).click()
            page.keyboard.press("Escape")
            wait_for(lambda: categories.locator("[data-tag]").all_inner_texts() == [category], 30,
                     f"the category filter {category!r} to apply")
            page.wait_for_timeout(2500)  # one refresh of the live fragment with the filter
            page.screenshot(path=str(ARTIFACTS / "dashboard-filtered.png"))

            page.get_by_role("tab", name="History").click()
            page.get_by_text("Weekly demand per skill").wait_for(timeout=60_000)
            wait_for(lambda: page.get_by_text(re.compile(r"DuckDB: \d+ rows, .* scanned")).count() >= 3, 60,
                     "history queries with their scanned-bytes notes")
            page.screenshot(path=str(ARTIFACTS / "dashboard-history.png"))

            page.get_by_role("tab", name="Health").click()
            page.get_by_text("Last batch id").wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "dashboard-health.png"))
        finally:
            browser.close()
    assert feed.error is None, feed.error
    for name in ("live", "filtered", "history", "health"):
        assert (ARTIFACTS / f"dashboard-{name}.png").stat().st_size > 10_000

