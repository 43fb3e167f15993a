"""`pulse dashboard`: the Streamlit dashboard on 127.0.0.1 (runs until interrupted)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from talent_pulse.checkout import checkout_path
from talent_pulse.cli import Subparsers
from talent_pulse.settings import Settings

APP = "dashboard/app.py"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("dashboard", help="run the Streamlit dashboard on 127.0.0.1 and print its URL")
    parser.add_argument("--port", type=int, help="port (default: PULSE_DASHBOARD_PORT)")
    parser.set_defaults(handler=run)


def streamlit_command(app: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def run(args: argparse.Namespace) -> int:
    app = checkout_path(APP, "the dashboard app")
    port = args.port or Settings.from_env().dashboard_port
    print(f"dashboard: http://127.0.0.1:{port}  (Ctrl-C stops it)", flush=True)
    return subprocess.call(streamlit_command(app, port), cwd=app.parent, env=os.environ.copy())
