"""Entry point of the `pulse` CLI. It only wires command modules together."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Each module registers its own sub-commands; add a module here to add a group.
COMMAND_MODULES = (
    "talent_pulse.cli.config",
    "talent_pulse.cli.local",
    "talent_pulse.cli.demo",
    "talent_pulse.cli.stream",
    "talent_pulse.cli.deploy",
    "talent_pulse.cli.stats",
    "talent_pulse.cli.query",
    "talent_pulse.cli.lake",
    "talent_pulse.cli.dashboard",
    "talent_pulse.cli.produce",
    "talent_pulse.cli.skills",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pulse", description="Global Talent Pulse: local stack, pipeline and tools")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


class CliError(Exception):
    """An error the user can act on; printed without a traceback."""


if __name__ == "__main__":
    sys.exit(main())
