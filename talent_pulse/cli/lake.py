"""`pulse lake`: maintain the Iceberg tables, reconcile the serving layer with them, rebuild it from them."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from talent_pulse.cli import Subparsers
from talent_pulse.cli.errors import CliError
from talent_pulse.settings import Settings

if TYPE_CHECKING:
    from talent_pulse.queries import DuckDBBackend

SQLITE_BUSY_HINT = (
    "the SQLite catalog is locked by another JVM (the streaming job?): it allows one committing "
    "process at a time — stop `pulse stream`, run `pulse lake maintain`, start the stream again"
)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("lake", help="maintain, reconcile and rebuild from the Iceberg lake tables")
    commands = parser.add_subparsers(dest="lake_command", required=True, metavar="COMMAND")
    maintain = commands.add_parser(
        "maintain",
        help="compact each (day, location) (bin-pack), expire snapshots, remove orphan files",
        description="Settings: PULSE_LAKE_TARGET_FILE_MB, PULSE_LAKE_RETAIN_SNAPSHOTS (>= 2), "
        "PULSE_LAKE_SNAPSHOT_MAX_AGE_HOURS, PULSE_LAKE_ORPHAN_MIN_AGE_HOURS. With the local SQLite "
        "catalog, stop the streaming job first (one committing JVM at a time).",
    )
    maintain.add_argument("--json", action="store_true", help="print the report, files per partition included, as JSON")
    maintain.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    maintain.set_defaults(handler=run_maintain)
    reconcile = commands.add_parser(
        "reconcile", help="compare every serving-layer total with the same total from the lake; exit 1 on drift"
    )
    reconcile.set_defaults(handler=run_reconcile)
    rebuild = commands.add_parser(
        "rebuild-serving",
        help="recompute the serving layer from the lake into a fresh namespace",
        description="Point the dashboard at the result with PULSE_SERVING_NAMESPACE=NEW.",
    )
    rebuild.add_argument("--namespace", required=True, help="the new serving namespace (must be empty)")
    rebuild.set_defaults(handler=run_rebuild)


def run_maintain(args: argparse.Namespace) -> int:
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]  # py4j ships no types

    from talent_pulse.jvm_build import streaming_job_jars
    from talent_pulse.lake.maintenance import maintain
    from talent_pulse.lake.session import lake_session

    settings = Settings.from_env()
    jars = streaming_job_jars(Path(settings.cache_dir), log=lambda line: print(line, file=sys.stderr))
    spark = lake_session(settings, jars, master=args.master)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        reports = maintain(spark, settings)
    except Py4JJavaError as exc:
        if "SQLITE_BUSY" in str(exc):
            raise CliError(SQLITE_BUSY_HINT) from exc
        raise
    finally:
        spark.stop()
    for report in reports:
        print(report.summary())
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "table": r.table,
                        "rewritten_files": r.rewritten_files,
                        "added_files": r.added_files,
                        "expired_data_files": r.expired_data_files,
                        "orphan_files_removed": r.orphan_files_removed,
                        "files_before": {"/".join(k): n for k, n in sorted(r.files_before.items())},
                        "files_after": {"/".join(k): n for k, n in sorted(r.files_after.items())},
                    }
                    for r in reports
                ]
            )
        )
    return 0


def _open_lake(settings: Settings) -> DuckDBBackend:
    from talent_pulse.queries import DuckDBBackend, QueryError

    try:
        return DuckDBBackend(settings)
    except QueryError as exc:
        raise CliError(str(exc)) from exc


def run_reconcile(args: argparse.Namespace) -> int:
    from talent_pulse.lake.reconcile import compare, lake_totals, serving_totals
    from talent_pulse.serving import redis_client

    settings = Settings.from_env()
    backend = _open_lake(settings)
    try:
        lake = lake_totals(backend)
    finally:
        backend.close()
    serving = serving_totals(redis_client(settings), settings.serving_namespace)
    drift = compare(serving, lake)
    for view, totals in lake.items():
        differing = sum(1 for d in drift if d.view == view)
        print(f"{view:17} {len(totals):6} keys in the lake, {differing} differing")
    for d in drift[:50]:
        print(f"  drift {d.view} {d.key}: serving {d.serving}, lake {d.lake}")
    if drift:
        print(
            f"{len(drift)} totals differ between namespace {settings.serving_namespace!r} and the lake "
            "(a running stream's last unflushed cold-path minute shows here: stop it or let it go idle first)"
        )
        return 1
    print(f"no drift: namespace {settings.serving_namespace!r} equals the lake")
    return 0


def run_rebuild(args: argparse.Namespace) -> int:
    from talent_pulse.lake.catalog import metadata_location
    from talent_pulse.lake.rebuild import rebuild_serving
    from talent_pulse.serving import Keys, redis_client
    from talent_pulse.tables import load_tables

    settings = Settings.from_env(serving_namespace=args.namespace)
    client = redis_client(settings)
    snapshots = "|".join(str(metadata_location(settings, table)) for table in load_tables().values())
    fence_id = "rebuild-" + hashlib.sha256(snapshots.encode()).hexdigest()[:16]
    keys = Keys(args.namespace)
    resuming = client.exists(keys.fence(fence_id))
    if not resuming and next(client.scan_iter(match=keys.prefix + "*", count=1000), None) is not None:
        raise CliError(f"namespace {args.namespace!r} already holds keys of something else: pick a new one")
    backend = _open_lake(settings)
    try:
        report = rebuild_serving(backend, client, args.namespace, fence_id)
    finally:
        backend.close()
    print(
        f"namespace {report.namespace!r}: {report.postings} postings and {report.rejected} rejected records over "
        f"{report.days} days; dashboard: PULSE_SERVING_NAMESPACE={report.namespace} pulse dashboard"
    )
    return 0
