"""Cold-path table definitions, loaded from ``data/tables.json`` (the single source)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Iceberg partition transforms as Spark SQL and Athena (Trino) DDL spell them.
SPARK_TRANSFORMS = {"identity": "{column}", "day": "days({column})"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str


@dataclass(frozen=True)
class PartitionField:
    column: str
    transform: str  # an Iceberg transform: identity | day
    comment: str

    def spark_sql(self) -> str:
        return SPARK_TRANSFORMS[self.transform].format(column=self.column)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    partitioning: tuple[PartitionField, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@cache
def load_tables() -> dict[str, Table]:
    raw = json.loads(resources.files("talent_pulse").joinpath("data/tables.json").read_text("utf-8"))
    tables = {}
    for name, spec in raw.items():
        if name.startswith("_"):
            continue
        table = Table(
            name=name,
            columns=tuple(Column(**c) for c in spec["columns"]),
            partitioning=tuple(PartitionField(**p) for p in spec["partitioning"]),
        )
        for field in table.partitioning:
            if field.column not in table.column_names or field.transform not in SPARK_TRANSFORMS:
                raise ValueError(
                    f"tables.json, {name}: partition field {field} needs a column of the table "
                    f"and a transform among {', '.join(SPARK_TRANSFORMS)}"
                )
        tables[name] = table
    return tables


def postings_table() -> Table:
    return load_tables()["postings"]


def quarantine_table() -> Table:
    return load_tables()["quarantine"]
