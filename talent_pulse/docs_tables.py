"""The documentation's tables that mirror code, rendered from the code.

A page marks each such table with ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED -->``;
``python3 -m talent_pulse.docs_tables`` (``make docs``) rewrites every marked block of README.md and
docs/*.md under the current folder, ``--check`` only lists the stale ones (exit status 1).
tests/unit/test_docs.py runs the check.

The sources: ``Settings`` (configuration), ``serving.Keys`` (Redis key layout), ``data/tables.json``
through ``talent_pulse.tables`` (lake columns), ``contract.FIELDS`` and ``contract.REASON_CODES``.
What the code does not say (a key's type and TTL, what a reason code means) is written here, and
rendering fails when the code has a key or a reason code this module does not describe, or the reverse.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from talent_pulse.contract import FIELDS, REASON_CODES
from talent_pulse.serving import Keys
from talent_pulse.serving.keys import (
    HOUR_BUCKET_TTL_SECONDS,
    LOCATION_TOP_SKILLS,
    MINUTE_BUCKET_TTL_SECONDS,
    SEEN_BUCKET_SECONDS,
    SEEN_TTL_SECONDS,
)
from talent_pulse.settings import Settings
from talent_pulse.tables import load_tables

REGENERATE = "python3 -m talent_pulse.docs_tables"  # also `make docs`
BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- END GENERATED -->)", re.S)
KEY_NAMESPACE = "ns"


def _duration(seconds: int) -> str:
    for unit, name in ((86400, "days"), (3600, "h"), (60, "min")):
        if seconds % unit == 0:
            return f"{seconds // unit} {name}"
    return f"{seconds} s"


MINUTE_TTL, HOUR_TTL = _duration(MINUTE_BUCKET_TTL_SECONDS), _duration(HOUR_BUCKET_TTL_SECONDS)

# key (namespace "ns") -> type, content, TTL; the keys, TTLs and limits themselves come from serving.keys
SERVING_KEYS: dict[str, tuple[str, str, str]] = {
    "{ns}:meta": (
        "HASH",
        "`postings`, `rejected`, `duplicates`, `batches_applied`, `last_batch_id`, "
        "`last_event_time` (ISO UTC, the maximum seen), `last_update_time` (Redis server `TIME`, "
        "epoch seconds)",
        "–",
    ),
    "{ns}:fence:<fence_id>": ("STRING", "the highest batch id applied by one streaming query", "–"),
    "{ns}:skills": ("ZSET", "skill → postings that mention it (all time)", "–"),
    "{ns}:locations": ("ZSET", "location slug → postings", "–"),
    "{ns}:loc:<slug>:skills": ("ZSET", "skill → postings in that location", "–"),
    "{ns}:loc_top": (
        "HASH",
        f"slug → JSON `[skill, count, …]`: the top {LOCATION_TOP_SKILLS} skills of that location, kept up to date "
        "by the write script",
        "–",
    ),
    "{ns}:skills:m:<epoch_minute>": ("ZSET", "skill → postings whose `event_time` falls in that minute", MINUTE_TTL),
    "{ns}:skills:h:<epoch_hour>": ("ZSET", "skill → postings whose `event_time` falls in that hour", HOUR_TTL),
    "{ns}:postings:m:<epoch_minute>": ("STRING", "postings in that minute", MINUTE_TTL),
    "{ns}:postings:h:<epoch_hour>": ("STRING", "postings in that hour", HOUR_TTL),
    "{ns}:seen:<ingest_bucket>": (
        "SET",
        f"event ids the hot path counted whose Kafka ingest time falls in that {_duration(SEEN_BUCKET_SECONDS)} "
        "bucket: its dedup (`serving.seen`)",
        _duration(SEEN_TTL_SECONDS),
    ),
    "{ns}:pairs": ("ZSET", '`"skillA|skillB"` (A < B) → postings that mention both', "–"),
    "{ns}:remote": ("HASH", "`remote` / `onsite` / `unknown` → postings", "–"),
    "{ns}:seniority": ("HASH", "seniority level → postings", "–"),
    "{ns}:rejected": ("HASH", "reason code → quarantined records", "–"),
    "{ns}:progress": (
        "HASH",
        "query (`hot` / `cold`) → JSON of its last finished batch, written by the job "
        "after each batch, outside the fenced script",
        "–",
    ),
}

# contract.REASON_CODES -> when a record gets it
REASON_CODE_MEANINGS: dict[str, str] = {
    "too_large": "the record is over 256 KB, or a field is longer than its limit (description: 50,000 characters)",
    "not_utf8": "the value is not valid UTF-8",
    "malformed_json": "not JSON (truncated, a tombstone, a number literal over 100 characters, nested past 64 levels)",
    "not_an_object": "JSON, but an array, string or number",
    "unsupported_schema_version": "`schema_version` is not 1",
    "missing_field": "a required field is absent",
    "wrong_type": 'a field has the wrong JSON type (`"remote": "yes"`, a numeric title, …)',
    "bad_timestamp": "`event_time` is not ISO-8601 with `Z` or `±hh:mm`, or lies before 1990 or more than a day ahead",
    "bad_value": "a value outside its field's domain: unknown seniority or currency, salary_min > salary_max, a "
    "negative salary, text without a visible character",
    "duplicate_key": "one key twice in one JSON object",
}


def _cell(value: object) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text.replace("|", "\\|") if text else "–"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _code(text: str) -> str:
    return f"`{text}`"


def configuration_table() -> str:
    home = str(Path.home())
    rows = []
    for row in Settings().describe():
        value = row["value"]
        shown = f"{value:g}" if isinstance(value, float) else str(value).replace(home, "~", 1)
        default = _code(shown) if shown else ""
        rows.append((_code(row["env"]), default, row["help"]))
    return _table(("variable", "default", "meaning"), rows)


def _placeholder_call(method: Callable[..., str]) -> str:
    """A parameterised key with each argument written as `<parameter name>`."""
    return method(*(f"<{name}>" for name in inspect.signature(method).parameters))


def serving_key_names() -> list[str]:
    """Every key `serving.Keys` builds, for the namespace `ns`, parameters as placeholders."""
    keys = Keys(KEY_NAMESPACE)
    prefix = f"{{{KEY_NAMESPACE}}}:"
    members = [(name, value) for name, value in inspect.getmembers(keys) if not name.startswith("_")]
    fixed = [value for _, value in members if isinstance(value, str) and value.startswith(prefix) and value != prefix]
    built = [_placeholder_call(value) for _, value in members if inspect.ismethod(value)]
    return fixed + built


def _described(kind: str, in_code: Iterable[str], described: Iterable[str]) -> None:
    missing, stale = sorted(set(in_code) - set(described)), sorted(set(described) - set(in_code))
    if missing or stale:
        raise ValueError(
            f"talent_pulse/docs_tables.py describes the {kind} of the code: add {missing or 'nothing'}, "
            f"remove {stale or 'nothing'}, then run {REGENERATE}"
        )


def serving_keys_table() -> str:
    _described("serving keys", serving_key_names(), SERVING_KEYS)
    return _table(
        ("key", "type", "content", "TTL"), ((_code(key), *described) for key, described in SERVING_KEYS.items())
    )


def lake_table(name: str) -> str:
    table = load_tables()[name]
    partitioning = ", ".join(_code(field.spark_sql()) for field in table.partitioning)
    columns = _table(("column", "type", "meaning"), ((_code(c.name), _code(c.type), c.comment) for c in table.columns))
    return f"{columns}\n\nPartitioned by {partitioning}."


def contract_fields_table() -> str:
    def limits(max_chars: int | None, choices: tuple[str, ...] | None) -> str:
        if choices and len(choices) <= 10:
            return "one of " + ", ".join(_code(choice) for choice in choices)
        if choices:
            return f"one of {len(choices)} codes"
        return f"at most {max_chars:,} characters" if max_chars else ""

    return _table(
        ("field", "type", "required", "limits", "meaning"),
        (
            (_code(f.name), f.kind, "yes" if f.required else "no", limits(f.max_chars, f.choices), f.description)
            for f in FIELDS
        ),
    )


def reason_codes_table() -> str:
    _described("reason codes", REASON_CODES, REASON_CODE_MEANINGS)
    return _table(("reason code", "the record"), ((_code(code), REASON_CODE_MEANINGS[code]) for code in REASON_CODES))


RENDERERS: dict[str, Callable[[], str]] = {
    "configuration": configuration_table,
    "serving-keys": serving_keys_table,
    "lake-postings": lambda: lake_table("postings"),
    "lake-quarantine": lambda: lake_table("quarantine"),
    "contract-fields": contract_fields_table,
    "reason-codes": reason_codes_table,
}


def regenerate(text: str, where: str = "the page") -> str:
    """`text` with every generated block rendered afresh; an unknown block name is an error."""

    def render(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in RENDERERS:
            raise ValueError(f"{where}: no generated table is called {name!r}; known: {', '.join(RENDERERS)}")
        return f"{match.group(1)}{RENDERERS[name]()}\n{match.group(4)}"

    return BLOCK.sub(render, text)


def pages(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def stale_pages(root: Path) -> list[Path]:
    return [page for page in pages(root) if regenerate(text := page.read_text("utf-8"), str(page)) != text]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m talent_pulse.docs_tables", description="rewrite the docs' generated tables from the code"
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the checkout (default: this folder)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a table is stale")
    args = parser.parse_args(argv)
    stale = stale_pages(args.root)
    if args.check:
        for page in stale:
            print(f"{page}: a generated table is stale; run {REGENERATE}", file=sys.stderr)
        return 1 if stale else 0
    for page in stale:
        page.write_text(regenerate(page.read_text("utf-8"), str(page)), "utf-8")
        print(f"rewrote {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
