"""The package as pip installs it (setuptools' build of talent_pulse/ alone, no checkout around it):
package data is found through importlib.resources, and what lives only in the checkout fails with
one clear error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from talent_pulse.checkout import CheckoutMissing, checkout_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """talent_pulse built into a folder of its own, as a wheel would lay it out."""
    build = tmp_path_factory.mktemp("installed")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "egg_info",
            "--egg-base",
            str(build),
            "build_py",
            "--build-lib",
            str(build / "site"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return build / "site"


def _run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Endpoints named (never contacted), so `pulse` does not go looking for the local stack.
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "PULSE_REDIS_URL": "redis://127.0.0.1:1/0",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
    }
    return subprocess.run(
        [sys.executable, *args], cwd=site.parent, env=env, capture_output=True, text=True, timeout=120
    )


def test_package_data_ships_and_loads(installed):
    code = (
        "import talent_pulse, talent_pulse.serving.write as w, talent_pulse.generator as g, "
        "talent_pulse.tables as t, talent_pulse.queries as q, talent_pulse.remote_words as r; "
        "assert w.apply_batch_script().startswith('#!lua'); assert t.load_tables(); "
        "assert q.named_queries(); assert g.load_market(); assert r.REMOTE_PHRASES; "
        "print(talent_pulse.__file__)"
    )
    result = _run(installed, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(installed))
    for shipped in (
        "serving/apply_batch.lua",
        "local_stack/kafka-broker.pom.xml",
        "local_stack/kafka-log4j2.properties",
        "data/remote_words.json",
    ):
        assert (installed / "talent_pulse" / shipped).is_file(), shipped


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        (["skills", "eval", "--no-jvm"], "tests/unit/skill_cases.yaml"),
        (["dashboard"], "dashboard/app.py"),
        (["stream", "--until-idle", "1"], "glue_or_emr_jobs/streaming_job.py"),
    ],
)
def test_checkout_only_files_fail_with_what_to_do(installed, command, missing):
    result = _run(installed, "-m", "talent_pulse.cli.main", *command)
    assert result.returncode == 2
    assert f"error: {missing} (" in result.stderr
    assert "pip install -e ." in result.stderr


def test_in_the_checkout_the_paths_resolve():
    assert checkout_path("glue_or_emr_jobs/pom.xml", "the job's pom") == ROOT / "glue_or_emr_jobs" / "pom.xml"
    with pytest.raises(CheckoutMissing, match="no/such/file"):
        checkout_path("no/such/file", "a file that is not there")
