"""`pulse query`: SQL or a named history query over the cold-path Iceberg tables, rows as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys

from talent_pulse.cli import Subparsers
from talent_pulse.cli.errors import CliError
from talent_pulse.queries import QueryError, named_queries, open_backend, run_named
from talent_pulse.settings import Settings


def register(subparsers: Subparsers) -> None:
    names = ", ".join(named_queries())
    parser = subparsers.add_parser(
        "query",
        help="run SQL over the history tables (postings, quarantine); rows as JSON lines",
        description=f"Tables: the Iceberg tables postings (partitioned by day of event_time, location) and "
        f"quarantine (day of ingested_at). Named queries: {names}.",
    )
    parser.add_argument("sql", nargs="?", help='SQL, e.g. "SELECT location, count(*) FROM postings GROUP BY 1"')
    parser.add_argument("--named", metavar="NAME", help=f"run a named query ({names})")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="K=V",
        help="parameter of the named query (repeatable); `--list` shows them",
    )
    parser.add_argument("--list", action="store_true", help="list the named queries and their parameters")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        for query in named_queries().values():
            print(f"{query.name}: {query.title}")
            for param in query.params:
                print(f"    --param {param.name}=…  ({param.type}, default {param.default!r}) {param.help}")
        return 0
    if bool(args.sql) == bool(args.named):
        raise CliError('give either SQL ("SELECT …") or --named NAME (see `pulse query --list`)')
    if args.param and not args.named:
        raise CliError("--param only applies to --named queries")
    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--param {item!r}: write it as name=value")
        params[key] = value
    try:
        backend = open_backend(Settings.from_env())
        try:
            result = run_named(backend, args.named, params) if args.named else backend.run_sql(args.sql)
        finally:
            backend.close()
    except QueryError as exc:
        raise CliError(str(exc)) from exc
    for record in result.records():
        print(json.dumps(record, default=str, ensure_ascii=False))
    print(result.note, file=sys.stderr)
    return 0
