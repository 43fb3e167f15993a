"""`pulse demo start | stop | status`: the streaming job, producer and dashboard on the local stack."""

from __future__ import annotations

import argparse

from talent_pulse.cli import Subparsers
from talent_pulse.cli.errors import CliError
from talent_pulse.cli.local import print_status, stop_and_report
from talent_pulse.local_stack.demo import DemoPipeline
from talent_pulse.local_stack.supervisor import LocalStack, local_settings


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the demo pipeline (stream, producer, dashboard) on the local stack"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("start", help="start the streaming job, a producer and the dashboard").set_defaults(
        handler=start
    )
    actions.add_parser("stop", help="stop what `start` started").set_defaults(handler=stop)
    actions.add_parser("status", help="show the pipeline processes").set_defaults(handler=status)


def _pipeline() -> DemoPipeline:
    return DemoPipeline(local_settings())


def start(args: argparse.Namespace) -> int:
    settings = local_settings()
    if not all(s.answering for s in LocalStack(settings).status()):
        raise CliError("the local stack is not answering: run `pulse local up` first")
    pipeline = _pipeline()
    try:
        pipeline.up()
    except RuntimeError as exc:
        raise CliError(f"{exc}\n(`pulse demo stop` stops what was started)") from exc
    print_status(pipeline)
    print(f"\ndashboard: http://127.0.0.1:{settings.dashboard_port}")
    print('live counters: pulse stats    history: pulse query "SELECT location, count(*) FROM postings GROUP BY 1"')
    return 0


def stop(args: argparse.Namespace) -> int:
    return stop_and_report(_pipeline())


def status(args: argparse.Namespace) -> int:
    return 0 if print_status(_pipeline()) else 1
