"""`pulse stats [--json] [--top N]`: the live serving-layer counters in Redis."""

from __future__ import annotations

import argparse
import json
import time

import redis

from talent_pulse.cli import Subparsers
from talent_pulse.cli.errors import CliError
from talent_pulse.serving import Snapshot, read_snapshot, redacted_url, redis_client, stats_json
from talent_pulse.settings import Settings


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("stats", help="print the live counters of the serving layer (Redis)")
    parser.add_argument("--json", action="store_true", help="print all totals, every skill and every location as JSON")
    parser.add_argument("--top", type=int, default=10, metavar="N", help="rows per table (default 10)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise CliError("--top must be at least 1")
    settings = Settings.from_env()
    client = redis_client(settings)
    try:
        if args.json:
            print(json.dumps(stats_json(client, settings.serving_namespace), indent=2, sort_keys=True))
        else:
            print_snapshot(read_snapshot(client, settings.serving_namespace, top_n=args.top), args.top)
    except redis.AuthenticationError as exc:
        raise CliError(
            f"Redis at {redacted_url(settings.redis_url)} refused the credentials ({exc}): "
            "check PULSE_REDIS_PASSWORD or PULSE_REDIS_PASSWORD_SECRET_ARN"
        ) from exc
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise CliError(
            f"cannot reach Redis at {redacted_url(settings.redis_url)}: is the local stack up? `pulse local up` ({exc})"
        ) from exc
    finally:
        client.close()
    return 0


def print_snapshot(snapshot: Snapshot, top: int) -> None:
    meta = snapshot.meta
    if meta.last_update_time is None:
        print("no batch applied yet: start the pipeline with `pulse demo start` or `pulse stream`")
        return
    age = time.time() - meta.last_update_time
    print(f"postings {meta.postings}   rejected {meta.rejected}   duplicates {meta.duplicates}")
    print(
        f"last batch {meta.last_batch_id} ({meta.batches_applied} applied), updated {age:.0f} s ago, "
        f"last event {meta.last_event_time}"
    )
    _table("top skills", snapshot.top_skills)
    _table(
        "top locations",
        [
            (f"{slug}  ({', '.join(list(snapshot.location_skills.get(slug, {}))[:3])})", count)
            for slug, count in snapshot.locations[:top]
        ],
    )
    _table("top skill pairs", [(f"{a} + {b}", count) for a, b, count in snapshot.top_pairs])
    _table("rejected by reason", sorted(snapshot.rejected_reasons.items(), key=lambda row: -row[1]))


def _table(title: str, rows: list[tuple[str, int]]) -> None:
    print(f"\n{title}")
    if not rows:
        print("  (none)")
    width = max((len(name) for name, _ in rows), default=0)
    for name, count in rows:
        print(f"  {name:<{width}}  {count:>10}")
