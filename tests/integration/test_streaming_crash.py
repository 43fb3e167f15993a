"""kill -9 of the streaming driver at random points, restarted from the checkpoint each time: counters stay exact."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from test_streaming_job import assert_reconciled, produce_dataset, run_stream, stream_env

KILLS = 3


def _kill_mid_stream(settings, rng: random.Random) -> int:
    """Start the job, wait for a few batches (or a random moment of start-up), kill -9 its process group."""
    process = subprocess.Popen(
        [sys.executable, "-m", "talent_pulse.cli.main", "stream"],
        # the cold path does not wait for the hot one, so the kills land in both queries' batches
        env=stream_env(
            settings,
            PULSE_MAX_OFFSETS_PER_TRIGGER="150",
            PULSE_COLD_MAX_OFFSETS_PER_TRIGGER="150",
            PULSE_COLD_YIELD_SECONDS="0",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    wanted, seen, deadline = rng.randint(1, 3), 0, time.monotonic() + 300
    try:
        for line in process.stdout:
            if line.startswith("batch "):
                seen += 1
            if seen >= wanted or time.monotonic() > deadline:
                break
        time.sleep(rng.uniform(0, 1.5))  # land inside a batch, not only between batches
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return seen


def test_three_hard_kills_then_restart_reconciles_exactly(isolated_settings):
    values = produce_dataset(isolated_settings, valid=1200, duplicates=100)
    rng = random.Random()
    batches_before_kill = [_kill_mid_stream(isolated_settings, rng) for _ in range(KILLS)]
    assert all(seen >= 1 for seen in batches_before_kill), batches_before_kill
    result = run_stream(isolated_settings)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert_reconciled(isolated_settings, values)
