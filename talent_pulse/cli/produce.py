"""`pulse produce`: publish postings to the postings topic (synthetic, replayed, or raw lines as-is)."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import time
from itertools import islice
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from talent_pulse.cli import Subparsers
from talent_pulse.cli.errors import CliError
from talent_pulse.producer import COMPRESSION_CODECS, DeliveryStats, PostingProducer, publish_raw_lines, publish_records
from talent_pulse.settings import Settings

if TYPE_CHECKING:
    from talent_pulse.sources import ReplaySource, SyntheticSource

PROGRESS_BAR_WIDTH = 30


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "produce",
        help="publish postings to Kafka; prints a JSON summary",
        description="Publish postings to the postings topic: --count N as fast as possible, or --rate R "
        "per second for --duration S seconds (0 = until Ctrl-C). Progress goes to stderr, the "
        "summary (JSON) to stdout. --raw publishes each line of --from-file as-is, e.g. to "
        "exercise the quarantine.",
    )
    parser.add_argument("--count", type=int, help="number of records to publish")
    parser.add_argument("--rate", type=float, help="records per second")
    parser.add_argument("--duration", type=float, default=0.0, help="seconds to run with --rate (0 = no limit)")
    parser.add_argument(
        "--chaos", type=float, default=0.0, metavar="SHARE", help="share of records replaced by bad input, e.g. 0.05"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generator and the chaos (default 0)")
    parser.add_argument("--source", choices=("synthetic", "replay"), default="synthetic")
    parser.add_argument("--from-file", type=Path, metavar="FILE", help="JSON-lines file (--source replay or --raw)")
    parser.add_argument("--retime", action="store_true", help="replay: stamp every posting with the current time")
    parser.add_argument(
        "--truth-out",
        type=Path,
        metavar="FILE",
        help="write ground truth {event_id, skills, location_slug} as JSON lines",
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="publish each line of --from-file unchanged as one record (key = its event_id if any)",
    )
    parser.add_argument("--topic", help="topic to publish to (default: PULSE_POSTINGS_TOPIC)")
    parser.add_argument("--compression", choices=COMPRESSION_CODECS, default="lz4")
    parser.set_defaults(handler=produce)


def produce(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.raw:
        return _produce_raw(settings, args)
    if args.count is None and args.rate is None:
        raise CliError("say how much to publish: --count N, or --rate R [--duration S]")
    if (args.count is not None and args.count < 0) or (args.rate is not None and args.rate <= 0):
        raise CliError("--count must be >= 0 and --rate > 0")
    source = _source(args)
    from talent_pulse.chaos import ChaosInjector

    try:
        records = ChaosInjector(args.chaos, args.seed).records(source.postings())
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if args.count is not None:
        records = islice(records, args.count)
    topic = args.topic or settings.postings_topic
    signal.signal(signal.SIGTERM, _interrupt)
    progress = Progress(args.count, args.duration if args.rate else None)
    with contextlib.ExitStack() as stack:
        truth_out = stack.enter_context(args.truth_out.open("w")) if args.truth_out else None
        producer = PostingProducer(settings, topic, args.compression)
        summary = publish_records(
            producer,
            records,
            rate=args.rate,
            duration_s=args.duration or None,
            truth_out=truth_out,
            on_progress=progress.show,
        )
    progress.done()
    return _report({**summary, "source": source.name, **source.report()}, topic)


def _source(args: argparse.Namespace) -> SyntheticSource | ReplaySource:
    from talent_pulse.sources import ReplaySource, SyntheticSource

    if args.source == "synthetic":
        if args.from_file:
            raise CliError("--from-file goes with --source replay or --raw")
        return SyntheticSource(args.seed)
    if args.from_file is None or not args.from_file.is_file():
        raise CliError(f"--source replay needs --from-file FILE, an existing JSON-lines file (got {args.from_file})")
    return ReplaySource(args.from_file, retime=args.retime)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class Progress:
    """A progress line on stderr: a bar when the end is known, the live rate always."""

    def __init__(self, count: int | None, duration_s: float | None):
        self.count, self.duration_s = count, duration_s
        self.tty = sys.stderr.isatty()
        self._last = (0, 0.0)
        self._last_line_at = 0.0

    def show(self, stats: DeliveryStats, elapsed: float) -> None:
        sent_before, elapsed_before = self._last
        rate = (stats.sent - sent_before) / max(elapsed - elapsed_before, 1e-9)
        self._last = (stats.sent, elapsed)
        if not self.tty and elapsed - self._last_line_at < 10:
            return  # logs get a line every 10 s, terminals a live line
        self._last_line_at = elapsed
        if self.count:
            share = stats.sent / self.count
        elif self.duration_s:
            share = elapsed / self.duration_s
        else:
            share = None
        bar = (
            f"[{'#' * int(PROGRESS_BAR_WIDTH * min(share, 1)):<{PROGRESS_BAR_WIDTH}}] {share:4.0%} "
            if share is not None
            else ""
        )
        line = (
            f"{bar}{stats.sent:,} sent  {rate:,.0f}/s  {stats.delivered:,} delivered  "
            f"{stats.total_failed:,} failed  {elapsed:,.0f}s"
        )
        print(f"\r{line}" if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.tty and self._last[0]:
            print(file=sys.stderr)


def _produce_raw(settings: Settings, args: argparse.Namespace) -> int:
    if args.from_file is None:
        raise CliError("--raw needs --from-file FILE (a JSON-lines file; each line becomes one record)")
    if not args.from_file.is_file():
        raise CliError(f"{args.from_file}: no such file")
    started = time.monotonic()
    with args.from_file.open("rb") as lines:
        stats = publish_raw_lines(settings, lines, args.topic)
    topic = args.topic or settings.postings_topic
    return _report({**stats.summary(), "duration_ms": round((time.monotonic() - started) * 1000)}, topic)


def _report(summary: dict[str, Any], topic: str) -> int:
    summary = {**summary, "topic": topic}
    print(json.dumps(summary))
    if summary["failed"]:
        hint = (
            f"create topic {topic!r} first (the broker does not auto-create topics)"
            if any("Unknown topic" in error for error in summary["errors"])
            else "check `pulse local status`, PULSE_KAFKA_BOOTSTRAP and PULSE_KAFKA_AUTH"
        )
        print(
            f"error: {summary['failed']} of {summary['sent']} records were not delivered "
            f"(first errors: {summary['errors'][:3]}); {hint}",
            file=sys.stderr,
        )
        return 1
    return 0
