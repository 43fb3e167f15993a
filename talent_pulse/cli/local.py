"""`pulse local up | down | status | env`: the no-Docker local stack."""

from __future__ import annotations

import argparse
import json
import shlex

from talent_pulse.cli import Subparsers
from talent_pulse.cli.errors import CliError
from talent_pulse.jvm_build import PrerequisiteMissing
from talent_pulse.local_stack.supervisor import LocalStack, local_environment, local_settings
from talent_pulse.settings import Settings


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("local", help="run the local stack: Kafka (KRaft), Redis, S3 emulator")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("up", help="start every service (idempotent) and create the topic and bucket").set_defaults(
        handler=up
    )
    actions.add_parser("down", help="stop the services this stack started").set_defaults(handler=down)
    status_parser = actions.add_parser("status", help="probe each service with a real round trip")
    status_parser.add_argument("--json", action="store_true")
    status_parser.set_defaults(handler=status)
    actions.add_parser("env", help="print `export` lines pointing tools at the local stack").set_defaults(handler=env)


def _stack() -> LocalStack:
    return LocalStack(local_settings())


def up(args: argparse.Namespace) -> int:
    stack = _stack()
    try:
        stack.up()
    except PrerequisiteMissing as exc:
        raise CliError(str(exc)) from exc
    except RuntimeError as exc:
        raise CliError(f"{exc}\n(`pulse local down` stops what was started)") from exc
    print_status(stack)
    print(
        "\nevery `pulse` command in any shell now uses it; "
        'for other tools (aws, spark-submit):  eval "$(pulse local env)"'
    )
    return 0


def down(args: argparse.Namespace) -> int:
    return stop_and_report(_stack())


def stop_and_report(stack: LocalStack) -> int:
    stopped = stack.down()
    print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
    return 0


def status(args: argparse.Namespace) -> int:
    stack = _stack()
    if args.json:
        print(json.dumps([dict(s.__dict__, log=str(s.log)) for s in stack.status()], indent=2))
        return 0 if all(s.answering for s in stack.status()) else 1
    return 0 if print_status(stack) else 1


def print_status(stack: LocalStack) -> bool:
    rows = stack.status()
    width = max(len(row.name) for row in rows)
    for row in rows:
        state = "answering" if row.answering else ("running, not answering" if row.running else "stopped")
        print(f"{row.name:<{width}} {row.address:<16} {state:<24} {row.detail}")
        if not row.answering:
            print(f"{'':<{width}} log: {row.log}")
    return all(row.answering for row in rows)


def env(args: argparse.Namespace) -> int:
    for key, value in local_environment(Settings.from_env()).items():
        print(f"export {key}={shlex.quote(value)}")
    return 0
