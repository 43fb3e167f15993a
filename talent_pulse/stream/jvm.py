"""The job's JVM UDFs (glue_or_emr_jobs/skill-matcher) over tables Python compiles and the driver broadcasts.

Python holds the one definition of each rule set (the skill taxonomy, the contract,
the gazetteer); the JVM applies the compiled tables, so no record crosses to a
Python worker. The jar must be on the Spark classpath: `pulse stream`, the test
session and `make jars` build it (talent_pulse/jvm_build.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from pyspark import SparkContext
from pyspark.sql import Column, DataFrame

# SparkContext -> {udf class: the JVM UserDefinedFunction (a py4j proxy)}
_UDFS: WeakKeyDictionary[SparkContext, dict[str, Any]] = WeakKeyDictionary()


class JobJarMissing(RuntimeError):
    """The job's JVM UDFs are not on the Spark classpath; the message says how to add them."""


def _jvm(sc: SparkContext) -> Any:
    jvm = sc._jvm
    if jvm is None:
        raise RuntimeError("the SparkContext has no JVM gateway: it was stopped; start a new session")
    return jvm


def _udf(sc: SparkContext, udf_class: str, tables: Callable[[], str], *args: str) -> Any:
    made = _UDFS.setdefault(sc, {})
    if udf_class not in made:
        jvm = _jvm(sc)
        if not jvm.org.apache.spark.util.Utils.classIsLoadable(udf_class):
            raise JobJarMissing(
                f"{udf_class} is not on the Spark classpath: add the job's jar (talent-pulse-skill-matcher.jar) "
                "with --jars (build it with `make jars`; `pulse stream` and the tests add it themselves)"
            )
        factory = jvm
        for part in udf_class.split("."):
            factory = getattr(factory, part)
        made[udf_class] = factory.function(sc._jsc.broadcast(tables()), *args)
    return made[udf_class]


def apply_udf(frame: DataFrame, udf_class: str, tables: Callable[[], str], column: Column, *args: str) -> Column:
    """`udf_class.function(broadcast(tables()), *args)` applied to `column`, made once per SparkContext."""
    sc = frame.sparkSession.sparkContext
    return Column(_udf(sc, udf_class, tables, *args).apply(_jvm(sc).PythonUtils.toSeq([column._jc])))
