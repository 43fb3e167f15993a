"""`pulse produce`: publish postings to the postings topic (synthetic, replayed, or raw lines as-is)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from talent_pulse.cli.main import CliError
from talent_pulse.producer import publish_raw_lines
from talent_pulse.settings import Settings


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "produce", help="publish postings to Kafka; prints a JSON summary",
        description="Publish postings to the postings topic. --raw publishes each line of --from-file as-is "
                    "(no validation), e.g. to exercise the quarantine.")
    parser.add_argument("--from-file", type=Path, metavar="FILE", help="JSON-lines file to publish")
    parser.add_argument("--raw", action="store_true",
                        help="publish each line of --from-file unchanged as one record (key = its event_id if any)")
    parser.add_argument("--topic", help="topic to publish to (default: PULSE_POSTINGS_TOPIC)")
    parser.set_defaults(handler=produce)


def produce(args) -> int:
    settings = Settings.from_env()
    if args.raw:
        return _produce_raw(settings, args)
    raise CliError("nothing to publish: pass --from-file FILE --raw")


def _produce_raw(settings: Settings, args) -> int:
    if args.from_file is None:
        raise CliError("--raw needs --from-file FILE (a JSON-lines file; each line becomes one record)")
    if not args.from_file.is_file():
        raise CliError(f"{args.from_file}: no such file")
    started = time.monotonic()
    with args.from_file.open("rb") as lines:
        stats = publish_raw_lines(settings, lines, args.topic)
    return _report(stats.summary(), started, args.topic or settings.postings_topic)


def _report(summary: dict, started: float, topic: str) -> int:
    summary = {**summary, "topic": topic, "duration_ms": round((time.monotonic() - started) * 1000)}
    print(json.dumps(summary))
    if summary["failed"]:
        hint = (f"create topic {topic!r} first (the broker does not auto-create topics)"
                if any("Unknown topic" in error for error in summary["errors"])
                else "check `pulse local status`, PULSE_KAFKA_BOOTSTRAP and PULSE_KAFKA_AUTH")
        print(f"error: {summary['failed']} of {summary['sent']} records were not delivered "
              f"(first errors: {summary['errors'][:3]}); {hint}", file=sys.stderr)
        return 1
    return 0
