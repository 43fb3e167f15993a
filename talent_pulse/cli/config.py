"""`pulse config`: the effective configuration, secrets masked."""

from __future__ import annotations

import argparse
import json

from talent_pulse.cli import Subparsers
from talent_pulse.settings import Settings


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("config", help="print the effective configuration (secrets masked)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    rows = Settings.from_env().describe()
    if args.json:
        print(json.dumps({row["env"]: row["value"] for row in rows}, indent=2))
        return 0
    width = max(len(row["env"]) for row in rows)
    for row in rows:
        print(f"{row['env']:<{width}}  {row['value']!s:<45}  {row['help']}")
    return 0
