"""Every command block of the README's quick start and of the components' run sections (docs/streaming.md,
docs/dashboard.md, docs/producer.md), run as a new user would: one fresh shell per line, nothing exported
but this test's own names.

"Clean" means: no AWS_* variable and no setting of talent_pulse.settings is inherited, so no endpoint
is configured and every `pulse` command has to find the running local stack by itself. The test adds
only names that keep it apart from everyone else's data (topic, serving namespace, lake and checkpoint
prefixes, data folder, dashboard port); they name no host. Commands that run until Ctrl-C are bounded
(BOUNDED says how), `make test` is dry-run (this test runs inside it), and `make demo` skips its
`install` prerequisite (pip-installing the checkout is the caller's business).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from talent_pulse.generator import PostingGenerator
from talent_pulse.serving import redis_client, stats_json
from talent_pulse.settings import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
README, STREAMING, DASHBOARD, PRODUCER = (
    ROOT / page for page in ("README.md", "docs/streaming.md", "docs/dashboard.md", "docs/producer.md")
)
COMMAND_SECONDS = 600
STREAM_IDLE_SECONDS = 20
STREAM_BLOCK_POSTINGS = 300

# documented line -> what runs instead, and why it is the same command, bounded
BOUNDED = {
    "make test": "make -n test",  # this test runs inside `make test`: check the target resolves, run nothing
    "make demo": "make -o install demo",  # `install` pip-installs the checkout: the caller's business
    "pulse stream": f"pulse stream --until-idle {STREAM_IDLE_SECONDS}",  # "runs until Ctrl-C"
    "pulse produce --rate 200 --duration 60": "pulse produce --rate 200 --duration 5",
    # [..] marks an option
    "pulse produce --source replay --from-file ads.jsonl [--retime] --count 1000": (
        "pulse produce --source replay --from-file ads.jsonl --retime --count 1000"
    ),
}
SERVERS = ("pulse dashboard",)  # run until Ctrl-C: started, checked on their port, interrupted
DEMO_STARTS = ("pulse demo start", "make demo")  # started, checked, then `pulse demo stop`


def doc_block(page: Path, heading: str) -> list[str]:
    """The command lines of the first ```bash block under `heading` in `page`."""
    text = page.read_text("utf-8")
    section = text[text.index(heading + "\n") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, f"{page.name}: no ```bash block under {heading}"
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_environment(settings: Settings, data_dir: Path, port: int) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in set(Settings.env_names())}
    return {
        **inherited,
        "PULSE_POSTINGS_TOPIC": settings.postings_topic,
        "PULSE_SERVING_NAMESPACE": settings.serving_namespace,
        "PULSE_LAKE_URI": settings.lake_uri,
        "PULSE_CHECKPOINT_URI": settings.checkpoint_uri,
        "PULSE_DATA_DIR": str(data_dir),
        "PULSE_DASHBOARD_PORT": str(port),
    }


class Shell:
    """Runs documented lines, each in a new bash; keeps what each printed."""

    def __init__(self, env: dict[str, str], cwd: Path):
        self.env, self.cwd = env, cwd
        self.printed: dict[str, str] = {}  # stdout and stderr
        self.stdout: dict[str, str] = {}

    def run(self, line: str) -> str:
        command = BOUNDED.get(line, line)
        if any(line.startswith(server) for server in SERVERS):
            output = self.stdout[line] = self._serve(command)
        else:
            # make runs in the checkout (its Makefile); everything else in a scratch folder for the files it writes
            result = subprocess.run(
                ["bash", "-c", command],
                cwd=ROOT if line.startswith("make") else self.cwd,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=COMMAND_SECONDS,
            )
            output, self.stdout[line] = result.stdout + result.stderr, result.stdout
            assert result.returncode == 0, f"`{line}` (ran `{command}`) exited {result.returncode}:\n{output[-4000:]}"
            if line in DEMO_STARTS:
                output += self._check_demo_then_stop()
        assert "Traceback" not in output, f"`{line}` printed a traceback:\n{output[-4000:]}"
        self.printed[line] = output
        return output

    def _serve(self, command: str) -> str:
        given = re.search(r"--port (\d+)", command)
        port = int(given.group(1)) if given else int(self.env["PULSE_DASHBOARD_PORT"])
        log = self.cwd / f"serve-{port}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            assert wait_for_health(port, process), f"`{command}` did not answer on {port}:\n{log.read_text()}"
        finally:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
            code = process.wait(60)
        output = log.read_text()
        assert code in (0, 130), f"`{command}` exited {code} after Ctrl-C:\n{output[-4000:]}"
        assert f"http://127.0.0.1:{port}" in output
        return output

    def _check_demo_then_stop(self) -> str:
        port = int(self.env["PULSE_DASHBOARD_PORT"])
        try:
            assert wait_for_health(port), f"the demo's dashboard does not answer on {port}"
            status = subprocess.run(
                ["pulse", "demo", "status"], cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=120
            )
            assert "answering" in status.stdout, status.stdout + status.stderr
            return status.stdout
        finally:
            stop = subprocess.run(
                ["pulse", "demo", "stop"], cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=180
            )
            assert stop.returncode == 0 and "stream" in stop.stdout, stop.stdout + stop.stderr


def time_at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def wait_for_health(port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return True
        except OSError:
            time.sleep(1)
    return False


@pytest.fixture
def shell(isolated_settings: Settings, tmp_path: Path) -> Shell:
    return Shell(clean_environment(isolated_settings, tmp_path / "pulse-data", free_port()), tmp_path)


def test_every_block_is_found_and_every_unbounded_line_is_known() -> None:
    blocks = [
        doc_block(README, "## Quick start"),
        doc_block(STREAMING, "## Run it"),
        doc_block(DASHBOARD, "## Run it"),
        doc_block(PRODUCER, "## `pulse produce`"),
    ]
    assert all(blocks)
    for line in (line for block in blocks for line in block):
        assert "Ctrl-C" not in line and "..." not in line, line


def test_quick_start(shell: Shell) -> None:
    lines = doc_block(README, "## Quick start")
    assert lines == ["make demo", "make test"], "the quick start changed: update BOUNDED"
    shell.run("make demo")
    assert "-m pytest" in shell.run("make test")


def test_streaming_job_run_it(shell: Shell, isolated_settings: Settings) -> None:
    from talent_pulse.contract import encode_event
    from talent_pulse.producer import PostingProducer

    generator, start = PostingGenerator(seed=18), time.time()
    producer = PostingProducer(isolated_settings, isolated_settings.postings_topic, "lz4")
    for i in range(STREAM_BLOCK_POSTINGS):
        producer.send(*encode_event(generator.generate(time_at(start - i)).event))
    assert producer.flush().delivered == STREAM_BLOCK_POSTINGS

    for line in doc_block(STREAMING, "## Run it"):
        shell.run(line)
    first_stream = shell.printed["pulse stream"]
    assert f"topic {isolated_settings.postings_topic}" in first_stream and "batch" in first_stream
    counters = stats_json(redis_client(isolated_settings), isolated_settings.serving_namespace)
    assert counters["postings"] == STREAM_BLOCK_POSTINGS  # the second run resumed, nothing counted twice


def test_dashboard_run_it(shell: Shell) -> None:
    lines = doc_block(DASHBOARD, "## Run it")
    for line in lines:
        shell.run(line)
    assert "pulse dashboard --port 8600" in shell.printed


def test_producer_commands(shell: Shell, tmp_path: Path) -> None:
    generator = PostingGenerator(seed=5)
    start = time.time()
    ads = [generator.generate(time_at(start - i)).event for i in range(1000)]
    (tmp_path / "ads.jsonl").write_text("".join(json.dumps(ad) + "\n" for ad in ads))
    (tmp_path / "anything.jsonl").write_text(json.dumps(ads[0]) + "\n{not json\nplain text\n")
    for line in doc_block(PRODUCER, "## `pulse produce`"):
        shell.run(line)
        if line.startswith("pulse produce"):
            summary = json.loads(shell.stdout[line])
            assert summary["failed"] == 0 and summary["delivered"] == summary["sent"] > 0, (line, summary)
    assert len((tmp_path / "truth.jsonl").read_text().splitlines()) > 0
