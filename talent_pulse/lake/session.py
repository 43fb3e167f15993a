"""A Spark session with the lake catalog, for `pulse lake` and the scheduled lake job."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import SparkSession

from talent_pulse.lake.catalog import prepare_local_catalog, spark_conf
from talent_pulse.settings import Settings


def lake_session(settings: Settings, jars: list[Path] = (), master: str | None = None,
                 app_name: str = "talent-pulse-lake") -> SparkSession:
    """`jars`: the Iceberg runtime and friends for a plain pyspark install; empty on EMR, which ships Iceberg."""
    prepare_local_catalog(settings)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    conf = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        "spark.ui.enabled": "false",
        **spark_conf(settings),
    }
    if jars:
        conf["spark.jars"] = ",".join(str(jar) for jar in jars)
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
