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

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from talent_pulse.skills.matcher import default_matcher
from talent_pulse.stream.jvm import apply_udf

SKILLS_UDF_CLASS = "io.talentpulse.skills.SkillsUdf"


def joined_text(text_cols: Sequence[str]) -> Column:
    """The text the matcher reads, as a Spark column: non-null values joined by a newline."""
    return F.concat_ws("\n", *[F.col(name) for name in text_cols])


def _compiled_tables() -> str:
    return default_matcher().compiled_tables()


def with_skills(
    df: DataFrame, text_cols: Sequence[str] = ("title", "description"), out_col: str = "skills"
) -> DataFrame:
    """`df` plus `out_col`: array<string> of the skills found in the text columns, sorted."""
    missing = [name for name in text_cols if name not in df.columns]
    if missing:
        raise ValueError(
            f"with_skills: column(s) {missing} not in the DataFrame (has {df.columns}); "
            "pass text_cols=... naming the text columns"
        )
    text = joined_text(tuple(text_cols)).cast("binary")
    return df.withColumn(out_col, apply_udf(df, SKILLS_UDF_CLASS, _compiled_tables, text))
