"""A Spark session with the lake catalog, for `pulse lake` and the scheduled lake job."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pyspark.sql import SparkSession

from talent_pulse.settings import Settings
from talent_pulse.spark_session import build_session


def lake_session(
    settings: Settings, jars: Iterable[Path] = (), master: str | None = None, app_name: str = "talent-pulse-lake"
) -> SparkSession:
    """`jars`: the Iceberg runtime and friends for a plain pyspark install; empty on EMR, which ships Iceberg."""
    return build_session(settings, app_name, master=master, jars=jars, extra={"spark.ui.enabled": "false"})
