"""CI runs every benchmark at a small size, only to prove it works and prints both columns.

The numbers themselves are for people (`make bench`); nothing here times anything.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent
SMALL_RUNS = {
    "bench_skills.py": ["--postings", "2000", "--distinct", "500", "--full-reference-postings", "500", "--runs", "2"],
    "bench_producer.py": ["--small"],
    "bench_serving.py": ["--postings", "20000", "--batch", "5000", "--reads", "10"],
    "bench_dashboard.py": ["--postings", "20000", "--refreshes", "5"],
    "bench_dashboard_visible.py": ["--small"],
    "bench_stream.py": ["--small"],
    "bench_lake.py": ["--rows", "2000", "--commits", "4", "--days", "1", "--locations", "5"],
    "bench_lake_objects.py": ["--rate", "10", "--duration", "20"],
}


def test_every_benchmark_script_is_exercised():
    assert {path.name for path in BENCH.glob("bench_*.py")} == set(SMALL_RUNS)


@pytest.mark.parametrize("script", sorted(SMALL_RUNS))
def test_benchmark_runs_and_reports_ours_beside_the_reference(script, local_stack):
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *SMALL_RUNS[script]], capture_output=True, text=True, timeout=1200
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout.lower()
    assert "reference" in output, result.stdout
    assert re.search(r"\d[\d,]*\.?\d*", result.stdout)
