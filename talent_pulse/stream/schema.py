"""Spark schemas derived from the contract (`talent_pulse.contract.FIELDS`) and the tables (`tables.json`)."""

from __future__ import annotations

from pyspark.sql import types as T

from talent_pulse.contract import FIELDS
from talent_pulse.tables import Table

_CONTRACT_TYPES = {
    "string": T.StringType(),
    "timestamp": T.TimestampType(),
    "boolean": T.BooleanType(),
    "number": T.DoubleType(),
    "integer": T.IntegerType(),
}

_HIVE_TYPES = {
    "string": T.StringType(),
    "timestamp": T.TimestampType(),
    "boolean": T.BooleanType(),
    "double": T.DoubleType(),
    "int": T.IntegerType(),
    "bigint": T.LongType(),
    "binary": T.BinaryType(),
    "array<string>": T.ArrayType(T.StringType()),
}


def event_schema() -> T.StructType:
    """Posting event v1 as Spark sees it after validation."""
    return T.StructType([T.StructField(f.name, _CONTRACT_TYPES[f.kind], not f.required) for f in FIELDS])


def parsed_schema() -> T.StructType:
    """What the validating parser returns per record: the event fields (null when rejected) plus the rejection."""
    return T.StructType(
        [T.StructField(f.name, f.dataType, True) for f in event_schema().fields]
        + [T.StructField("reason_code", T.StringType()), T.StructField("reason", T.StringType())]
    )


def table_schema(table: Table) -> T.StructType:
    return T.StructType([T.StructField(c.name, _HIVE_TYPES[c.type]) for c in table.columns])
