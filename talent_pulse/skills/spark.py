"""Spark path of the skill matcher: a pandas (Arrow) UDF over title + description.

The UDF calls `default_matcher()`, which is cached per Python process, so each
Spark worker builds the matcher once and reuses it for every batch; the
taxonomy is read with importlib.resources, so this works from an installed
package and from a zip shipped with --py-files. Rows are joined like the
Python callers do: the non-null text columns separated by a newline.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import ArrayType, StringType

from talent_pulse.skills.matcher import default_matcher


@pandas_udf(ArrayType(StringType()))
def extract_skills(texts: pd.Series) -> pd.Series:
    """Column of texts -> column of sorted canonical skill names (empty for null or skill-free text)."""
    return pd.Series(default_matcher().extract_many(texts.tolist()), index=texts.index)


def joined_text(text_cols: Sequence[str]) -> Column:
    return F.concat_ws("\n", *[F.col(name) for name in text_cols])


def with_skills(df: DataFrame, text_cols: Sequence[str] = ("title", "description"),
                out_col: str = "skills") -> DataFrame:
    """`df` plus `out_col`: array<string> of the skills found in the text columns, sorted."""
    missing = [name for name in text_cols if name not in df.columns]
    if missing:
        raise ValueError(f"with_skills: column(s) {missing} not in the DataFrame (has {df.columns}); "
                         "pass text_cols=... naming the text columns")
    return df.withColumn(out_col, extract_skills(joined_text(text_cols)))
