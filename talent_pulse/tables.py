"""Cold-path table definitions, loaded from ``data/tables.json`` (the single source)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str


@dataclass(frozen=True)
class Table:
    name: str
    prefix: str
    columns: tuple[Column, ...]
    partition_keys: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def partition_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.partition_keys)


@lru_cache(maxsize=None)
def load_tables() -> dict[str, Table]:
    raw = json.loads(resources.files("talent_pulse").joinpath("data/tables.json").read_text("utf-8"))
    return {
        name: Table(
            name=name,
            prefix=spec["prefix"],
            columns=tuple(Column(**c) for c in spec["columns"]),
            partition_keys=tuple(Column(**c) for c in spec["partition_keys"]),
        )
        for name, spec in raw.items()
        if not name.startswith("_")
    }


def postings_table() -> Table:
    return load_tables()["postings"]


def quarantine_table() -> Table:
    return load_tables()["quarantine"]
