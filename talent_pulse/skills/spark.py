"""Spark path of the skill matcher: a JVM UDF over title + description.

The taxonomy is compiled once by the Python matcher (`SkillMatcher.compiled_tables`)
and broadcast; the UDF in glue_or_emr_jobs/skill-matcher runs the same algorithm
on the JVM, so no row crosses to a Python worker. That is what makes it fast:
moving each posting to Python and back costs more than matching it
(tests/bench/bench_skills.py prints the numbers). The jar must be on the Spark
classpath: `pulse stream`, the test session and `make jars` build it
(talent_pulse/jvm_build.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from weakref import WeakKeyDictionary

from pyspark import SparkContext
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from talent_pulse.skills.matcher import default_matcher

SKILLS_UDF_CLASS = "io.talentpulse.skills.SkillsUdf"
_UDFS: WeakKeyDictionary = WeakKeyDictionary()  # SparkContext -> the JVM UserDefinedFunction


class SkillMatcherJarMissing(RuntimeError):
    """The JVM skill matcher is not on the Spark classpath; the message says how to add it."""


def joined_text(text_cols: Sequence[str]) -> Column:
    """The text the matcher reads, as a Spark column: non-null values joined by a newline."""
    return F.concat_ws("\n", *[F.col(name) for name in text_cols])


def _skills_udf(sc: SparkContext):
    """The UDF over the broadcast tables, made once per SparkContext."""
    if sc not in _UDFS:
        jvm = sc._jvm
        if not jvm.org.apache.spark.util.Utils.classIsLoadable(SKILLS_UDF_CLASS):
            raise SkillMatcherJarMissing(
                f"{SKILLS_UDF_CLASS} is not on the Spark classpath: add the skill matcher jar with --jars "
                "(build it with `make jars`; `pulse stream` and the tests add it themselves)")
        tables = sc._jsc.broadcast(default_matcher().compiled_tables())
        _UDFS[sc] = jvm.io.talentpulse.skills.SkillsUdf.function(tables)
    return _UDFS[sc]


def with_skills(df: DataFrame, text_cols: Sequence[str] = ("title", "description"),
                out_col: str = "skills") -> DataFrame:
    """`df` plus `out_col`: array<string> of the skills found in the text columns, sorted."""
    missing = [name for name in text_cols if name not in df.columns]
    if missing:
        raise ValueError(f"with_skills: column(s) {missing} not in the DataFrame (has {df.columns}); "
                         "pass text_cols=... naming the text columns")
    sc = df.sparkSession.sparkContext
    text = joined_text(tuple(text_cols))
    jcolumn = _skills_udf(sc).apply(sc._jvm.PythonUtils.toSeq([text.cast("binary")._jc]))
    return df.withColumn(out_col, Column(jcolumn))
