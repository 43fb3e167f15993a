"""Spark path of the skill matcher: `mapInArrow` over title + description.

Each Arrow batch's text columns are joined (the non-null values separated by a
newline, as the Python callers do), matched with `default_matcher()`
(cached per Python process, so each Spark worker builds it once; the taxonomy
is read with importlib.resources, so this works from an installed package and
from a zip shipped with --py-files), and the skills are appended as an Arrow
list<string> column built directly. That skips the pandas round trip of a
pandas UDF returning arrays, which cost as much as the matching itself
(tests/bench/bench_skills.py prints both).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from talent_pulse.skills.matcher import default_matcher

SKILLS_ARROW_TYPE = pa.list_(pa.string())


def joined_text(text_cols: Sequence[str]) -> Column:
    """The text the matcher reads, as a Spark column: non-null values joined by a newline."""
    return F.concat_ws("\n", *[F.col(name) for name in text_cols])


def skills_of_batch(batch: pa.RecordBatch, text_cols: Sequence[str]) -> pa.Array:
    """Sorted canonical skills of every row of an Arrow batch, as a list<string> array."""
    columns = [batch.column(name).to_pylist() for name in text_cols]
    texts = ["\n".join(part for part in parts if part is not None) for parts in zip(*columns)]
    return pa.array(default_matcher().extract_many(texts), type=SKILLS_ARROW_TYPE)


def with_skills(df: DataFrame, text_cols: Sequence[str] = ("title", "description"),
                out_col: str = "skills") -> DataFrame:
    """`df` plus `out_col`: array<string> of the skills found in the text columns, sorted."""
    missing = [name for name in text_cols if name not in df.columns]
    if missing:
        raise ValueError(f"with_skills: column(s) {missing} not in the DataFrame (has {df.columns}); "
                         "pass text_cols=... naming the text columns")
    if out_col in df.columns:
        df = df.drop(out_col)
    names = [*df.columns, out_col]
    schema = StructType([*df.schema.fields, StructField(out_col, ArrayType(StringType()))])
    text_cols = tuple(text_cols)

    def add_skills(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield pa.RecordBatch.from_arrays([*batch.columns, skills_of_batch(batch, text_cols)], names=names)

    return df.mapInArrow(add_skills, schema)
