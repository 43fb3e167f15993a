"""History queries over the cold-path tables: one interface, two engines.

* DuckDB (``PULSE_HISTORY_BACKEND=duckdb``, local): views ``postings`` and
  ``quarantine`` over the Iceberg tables the streaming job writes (``iceberg_scan``
  of each table's current metadata file, found in the catalog), data in S3 (the
  emulator, via ``AWS_ENDPOINT_URL``) or in a local folder.
* Athena (``PULSE_HISTORY_BACKEND=athena``, cloud): the same Iceberg tables in
  the Glue database ``Settings.glue_database``, run in ``Settings.athena_workgroup``.

Named queries live in ``data/history_queries.yaml`` (also read by Terraform for
its ``aws_athena_named_query`` resources). User values are bound as parameters,
never pasted into SQL. Every result carries the bytes scanned and the time.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlparse

import yaml

from talent_pulse.lake.catalog import metadata_location
from talent_pulse.settings import Settings
from talent_pulse.tables import Table, load_tables

EXTENSIONS_DIR = "extensions/v1.4.4/linux_amd64"
ATHENA_POLL_SECONDS = 0.5
ATHENA_TIMEOUT_SECONDS = 300.0
MAX_ROWS = 10_000
TEXT_PARAM = re.compile(r"^[\w .+#/&()-]{0,100}$")
RELATIVE_DATE = re.compile(r"^-(\d{1,4})d$")

# Trino functions the named queries use that DuckDB spells differently.
DUCKDB_TRINO_MACROS = ("CREATE OR REPLACE MACRO from_utf8(b) AS coalesce(try(decode(b)), CAST(b AS VARCHAR))",)
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "boolean": "BOOLEAN",
    "double": "DOUBLE",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "binary": "BLOB",
    "array<string>": "VARCHAR[]",
}

T = TypeVar("T")


class QueryError(Exception):
    """A history query could not run; the message says what to do next."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # text | date | int
    default: str
    help: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    bind: tuple[str, ...]
    sql: str


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    elapsed_seconds: float
    bytes_scanned: int | None
    backend: str
    query_id: str | None = None
    truncated: bool = False

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    @property
    def note(self) -> str:
        scanned = (
            "bytes scanned unknown" if self.bytes_scanned is None else f"{human_bytes(self.bytes_scanned)} scanned"
        )
        extra = f", first {len(self.rows)} rows" if self.truncated else ""
        return f"{self.backend}: {len(self.rows)} rows, {scanned}, {self.elapsed_seconds:.2f} s{extra}"


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


@cache
def named_queries() -> dict[str, NamedQuery]:
    raw = yaml.safe_load(resources.files("talent_pulse").joinpath("data/history_queries.yaml").read_text("utf-8"))
    queries = {}
    for name, spec in raw.items():
        params = tuple(Param(p, str(v["type"]), str(v["default"]), str(v["help"])) for p, v in spec["params"].items())
        query = NamedQuery(name, spec["title"], spec["description"], params, tuple(spec["bind"]), spec["sql"])
        if query.sql.count("?") != len(query.bind) or not set(query.bind) <= {p.name for p in params}:
            raise ValueError(f"history query {name}: `bind` must name one declared parameter per `?`")
        queries[name] = query
    return queries


def bind_params(query: NamedQuery, values: Mapping[str, Any], today: date | None = None) -> list[Any]:
    """User values (strings or typed) → positional arguments, validated by type. Unknown names are errors."""
    known = {p.name: p for p in query.params}
    unknown = set(values) - set(known)
    if unknown:
        raise QueryError(f"{query.name} has no parameter {', '.join(sorted(unknown))}; it takes: {', '.join(known)}")
    resolved = {p.name: _convert(p, values.get(p.name, p.default), today or date.today()) for p in query.params}
    return [resolved[name] for name in query.bind]


def _convert(param: Param, value: Any, today: date) -> Any:
    text = str(value).strip()
    if param.type == "int":
        try:
            return int(text)
        except ValueError:
            raise QueryError(f"{param.name} must be a whole number, got {text!r}") from None
    if param.type == "date":
        if text == "today":
            return today.isoformat()
        relative = RELATIVE_DATE.match(text)
        if relative:
            return (today - timedelta(days=int(relative.group(1)))).isoformat()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise QueryError(f"{param.name} must be yyyy-MM-dd, today or -Nd, got {text!r}") from None
    if not TEXT_PARAM.match(text):
        raise QueryError(f"{param.name}={text[:40]!r}: use letters, digits, spaces and .+#/&()- only (max 100)")
    return text


class HistoryBackend(Protocol):
    name: str

    def run_sql(self, sql: str, args: Sequence[Any] = ()) -> QueryResult: ...

    def close(self) -> None: ...


def run_named(
    backend: HistoryBackend, name: str, values: Mapping[str, Any] | None = None, today: date | None = None
) -> QueryResult:
    query = named_queries().get(name)
    if query is None:
        raise QueryError(f"no history query named {name!r}; known: {', '.join(named_queries())}")
    return backend.run_sql(query.sql, bind_params(query, values or {}, today))


def open_backend(settings: Settings) -> HistoryBackend:
    if settings.history_backend == "athena":
        return AthenaBackend(settings)
    return DuckDBBackend(settings)


# --- DuckDB -------------------------------------------------------------------------------------


def duckdb_extension_path(name: str) -> Path:
    """A DuckDB extension from its pinned wheel (duckdb-ext-<name>): DuckDB never downloads extensions here."""
    import duckdb_ext  # type: ignore[import-untyped]  # namespace package of the duckdb-ext-* wheels, no types

    for root in duckdb_ext.__path__:
        candidate = Path(root) / EXTENSIONS_DIR / f"{name}.duckdb_extension"
        if candidate.exists():
            return candidate
    raise QueryError(f"DuckDB's {name} extension is missing: `pip install -e .` installs duckdb-ext-{name}")


def _empty_select(table: Table) -> str:
    return (
        "SELECT "
        + ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[c.type]}) AS {c.name}" for c in table.columns)
        + " WHERE false"
    )


class DuckDBBackend:
    """In-process DuckDB over the Iceberg tables (data on S3 or in a local folder), current snapshot per refresh."""

    name = "DuckDB"

    def __init__(self, settings: Settings):
        import duckdb

        self.settings = settings
        self._connection = duckdb.connect(
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
        )
        self._profile = Path(tempfile.mkstemp(prefix="pulse-duckdb-", suffix=".json")[1])
        try:
            for extension in ("avro", "httpfs", "iceberg"):  # this order: iceberg needs the other two
                self._connection.execute(f"LOAD '{duckdb_extension_path(extension)}'")
            if urlparse(settings.lake_uri).scheme in ("s3", "s3a"):
                self._connection.execute(_s3_secret_sql(settings.aws_endpoint_url, settings.aws_region))
            # Every query reads its bytes from the lake, like Athena, so "bytes scanned" means the same.
            self._connection.execute("SET enable_external_file_cache = false")
            for macro in DUCKDB_TRINO_MACROS:
                self._connection.execute(macro)
            self._connection.execute("PRAGMA enable_profiling='json'")
            self._connection.execute(f"PRAGMA profiling_output='{self._profile}'")
        except duckdb.Error as exc:
            self.close()
            raise QueryError(f"DuckDB could not be set up for {settings.lake_uri}: {exc}") from exc
        self.refresh_views()

    def refresh_views(self) -> None:
        """(Re)point the table views at each table's current snapshot; a table not created yet is an empty view."""
        import duckdb

        for table in load_tables().values():
            try:
                location = metadata_location(self.settings, table)
            except Exception as exc:
                raise QueryError(
                    f"cannot read the lake catalog ({self.settings.lake_catalog}) for {table.name}: "
                    f"{_first_line(exc)} — check PULSE_LAKE_CATALOG_URI / the Glue database"
                ) from exc
            source = (
                _empty_select(table)
                if location is None
                else f"SELECT * FROM iceberg_scan('{location.replace(chr(39), chr(39) * 2)}')"
            )
            try:
                self._connection.execute(f"CREATE OR REPLACE VIEW {table.name} AS {source}")
                self._connection.execute(f"SELECT 1 FROM {table.name} LIMIT 0")
            except duckdb.Error as exc:
                raise QueryError(
                    f"cannot read {location}: {_first_line(exc)} — is the S3 emulator up "
                    "(`pulse local status`) and AWS_ENDPOINT_URL set?"
                ) from exc

    def _execute(self, sql: str, args: Sequence[Any], fetch: Callable[[Any], T]) -> T:
        import duckdb

        try:
            return fetch(self._connection.execute(sql, list(args)))
        except duckdb.Error as exc:
            raise QueryError(f"DuckDB: {_first_line(exc)}") from exc

    def run_sql(self, sql: str, args: Sequence[Any] = ()) -> QueryResult:
        started = time.perf_counter()
        columns, rows = self._execute(
            sql,
            args,
            lambda cursor: (
                [d[0] for d in cursor.description] if cursor.description else [],
                cursor.fetchmany(MAX_ROWS + 1) if cursor.description else [],
            ),
        )
        elapsed = time.perf_counter() - started
        return QueryResult(
            columns,
            [tuple(r) for r in rows[:MAX_ROWS]],
            elapsed,
            self._bytes_read(),
            self.name,
            truncated=len(rows) > MAX_ROWS,
        )

    def fetch_all(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of a query (no MAX_ROWS cap), for the lake's own tools (reconcile, rebuild)."""
        return self._execute(sql, args, lambda cursor: cursor.fetchall())

    def fetch_arrow(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """A query's result as an Arrow table."""
        return self._execute(sql, args, lambda cursor: cursor.fetch_arrow_table())

    def _bytes_read(self) -> int | None:
        try:
            return int(json.loads(self._profile.read_text("utf-8"))["total_bytes_read"])
        except (OSError, ValueError, KeyError):
            return None

    def close(self) -> None:
        self._connection.close()
        self._profile.unlink(missing_ok=True)


def _s3_secret_sql(endpoint_url: str, region: str) -> str:
    def literal(value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    options = [f"REGION {literal(region)}"]
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        options += [f"KEY_ID {literal(key)}", f"SECRET {literal(secret)}"]
        if os.environ.get("AWS_SESSION_TOKEN"):
            options.append(f"SESSION_TOKEN {literal(os.environ['AWS_SESSION_TOKEN'])}")
    if endpoint_url:
        parsed = urlparse(endpoint_url)
        options += [
            f"ENDPOINT {literal(parsed.netloc)}",
            "URL_STYLE 'path'",
            f"USE_SSL {'true' if parsed.scheme == 'https' else 'false'}",
        ]
    return f"CREATE OR REPLACE SECRET lake (TYPE s3, {', '.join(options)})"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- Athena -------------------------------------------------------------------------------------


def athena_literal(value: Any) -> str:
    """A bound value as Athena ExecutionParameters expects it: a typed SQL literal."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise QueryError(f"unsupported parameter value {value!r}")
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


ATHENA_CONVERTERS = {
    "tinyint": int,
    "smallint": int,
    "integer": int,
    "bigint": int,
    "double": float,
    "float": float,
    "real": float,
    "decimal": float,
    "boolean": lambda v: v == "true",
}


@dataclass
class AthenaBackend:
    """Athena in the workgroup from Settings; results are polled, statistics reported."""

    settings: Settings
    client: Any = None
    poll_seconds: float = ATHENA_POLL_SECONDS
    timeout_seconds: float = ATHENA_TIMEOUT_SECONDS
    name: str = field(default="Athena", init=False)

    def __post_init__(self) -> None:
        if self.client is None:
            import boto3

            self.client = boto3.client("athena", region_name=self.settings.aws_region)

    def run_sql(self, sql: str, args: Sequence[Any] = ()) -> QueryResult:
        from botocore.exceptions import BotoCoreError, ClientError

        started = time.perf_counter()
        request: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": {"Database": self.settings.glue_database},
            "WorkGroup": self.settings.athena_workgroup,
        }
        if args:
            request["ExecutionParameters"] = [athena_literal(a) for a in args]
        try:
            query_id = self.client.start_query_execution(**request)["QueryExecutionId"]
            execution = self._wait(query_id)
            columns, rows, truncated = self._results(query_id)
        except (BotoCoreError, ClientError) as exc:
            raise QueryError(
                f"Athena: {exc} — check the workgroup {self.settings.athena_workgroup!r}, "
                "the region and the credentials"
            ) from exc
        statistics = execution.get("Statistics", {})
        elapsed_ms = statistics.get("TotalExecutionTimeInMillis")
        elapsed = elapsed_ms / 1000 if elapsed_ms is not None else time.perf_counter() - started
        return QueryResult(columns, rows, elapsed, statistics.get("DataScannedInBytes"), self.name, query_id, truncated)

    def _wait(self, query_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            execution: dict[str, Any] = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            state = execution["Status"]["State"]
            if state == "SUCCEEDED":
                return execution
            if state in ("FAILED", "CANCELLED"):
                reason = execution["Status"].get("StateChangeReason", "no reason given")
                raise QueryError(f"Athena query {query_id} {state.lower()}: {reason}")
            if time.monotonic() > deadline:
                self.client.stop_query_execution(QueryExecutionId=query_id)
                raise QueryError(
                    f"Athena query {query_id} still running after {self.timeout_seconds:.0f} s; "
                    "it was cancelled — narrow the date range"
                )
            time.sleep(self.poll_seconds)

    def _results(self, query_id: str) -> tuple[list[str], list[tuple[Any, ...]], bool]:
        columns: list[str] = []
        converters: list[Any] = []
        rows: list[tuple[Any, ...]] = []
        for page in self.client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
            result_set = page["ResultSet"]
            if not columns:
                info = result_set["ResultSetMetadata"]["ColumnInfo"]
                columns = [c["Name"] for c in info]
                converters = [ATHENA_CONVERTERS.get(c["Type"].lower(), str) for c in info]
            for raw in result_set["Rows"]:
                values = [d.get("VarCharValue") for d in raw["Data"]]
                if not rows and values == columns:
                    continue  # the header row Athena puts first
                rows.append(
                    tuple(None if v is None else convert(v) for convert, v in zip(converters, values, strict=True))
                )
                if len(rows) > MAX_ROWS:
                    return columns, rows[:MAX_ROWS], True
        return columns, rows, False

    def close(self) -> None:
        """Nothing to release: Athena runs server-side."""
