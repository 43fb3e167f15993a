"""`pulse lake` against the real stack: Iceberg tables on the S3 emulator, a SQLite catalog, Redis.

rebuild-serving recomputes a namespace from the lake (checked against counts computed
here from the rows written), reconcile finds zero drift there and names the drift after
a counter is changed behind its back, and the maintenance code compacts without changing a total.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date

import pytest
from lake_samples import append_rows, register_catalog, sample_lake_rows

from talent_pulse.lake.maintenance import maintain_table
from talent_pulse.serving import BatchDelta, apply_batch, redis_client, stats_json
from talent_pulse.tables import postings_table, quarantine_table

pytestmark = pytest.mark.integration


def pulse(settings, *args: str, namespace: str | None = None) -> subprocess.CompletedProcess:
    env = {row["env"]: str(row["value"]) for row in settings.describe() if row["value"] != "****"}
    if namespace:
        env["PULSE_SERVING_NAMESPACE"] = namespace
    return subprocess.run(
        [sys.executable, "-m", "talent_pulse.cli.main", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture
def lake(spark, isolated_settings):
    """The sample rows in two commits per table, so every partition has files to compact."""
    postings, quarantine = sample_lake_rows(date.today())
    catalog = register_catalog(spark, isolated_settings)
    for half in (0, 1):
        append_rows(spark, isolated_settings, catalog, postings_table(), postings[half::2])
        append_rows(spark, isolated_settings, catalog, quarantine_table(), quarantine[half::2])
    return postings, quarantine, catalog


def test_rebuild_reconcile_and_maintain(spark, isolated_settings, lake):
    postings, quarantine, catalog = lake
    rebuilt = isolated_settings.serving_namespace + "-rebuilt"
    result = pulse(isolated_settings, "lake", "rebuild-serving", "--namespace", rebuilt)
    assert result.returncode == 0, result.stdout + result.stderr
    client = redis_client(isolated_settings)
    stats = stats_json(client, rebuilt)
    assert (stats["postings"], stats["rejected"], stats["duplicates"]) == (len(postings), len(quarantine), 0)
    assert stats["skills"] == dict(Counter(skill for p in postings for skill in p["skills"]))
    expected_locations: dict[str, Counter] = {}
    for p in postings:
        expected_locations.setdefault(p["location"], Counter()).update(p["skills"])
    assert stats["locations"] == {slug: dict(counts) for slug, counts in expected_locations.items()}

    again = pulse(isolated_settings, "lake", "rebuild-serving", "--namespace", rebuilt)  # resumes: nothing twice
    assert again.returncode == 0, again.stdout + again.stderr
    assert stats_json(client, rebuilt)["postings"] == len(postings)

    reconcile = pulse(isolated_settings, "lake", "reconcile", namespace=rebuilt)
    assert reconcile.returncode == 0 and "no drift" in reconcile.stdout, reconcile.stdout + reconcile.stderr

    # The maintenance code in this session's JVM: its catalog name is the one the tables were registered under.
    report = maintain_table(spark, isolated_settings, postings_table(), catalog)
    assert set(report.files_before.values()) == {2}
    assert report.files_after == {key: 1 for key in report.files_before}
    after = pulse(isolated_settings, "lake", "reconcile", namespace=rebuilt)
    assert after.returncode == 0 and "no drift" in after.stdout, after.stdout + after.stderr

    apply_batch(client, rebuilt, "someone-else", 0, BatchDelta(postings=1, skills={"Python": 1}))
    drifted = pulse(isolated_settings, "lake", "reconcile", namespace=rebuilt)
    assert drifted.returncode == 1
    assert "drift skills Python" in drifted.stdout and "drift postings postings" in drifted.stdout
