"""`pulse dashboard`: the Streamlit dashboard on 127.0.0.1 (runs until interrupted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from talent_pulse.cli.main import CliError
from talent_pulse.settings import Settings

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def register(subparsers) -> None:
    parser = subparsers.add_parser("dashboard", help="run the Streamlit dashboard on 127.0.0.1 and print its URL")
    parser.add_argument("--port", type=int, help="port (default: PULSE_DASHBOARD_PORT)")
    parser.set_defaults(handler=run)


def streamlit_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1",
            "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def run(args) -> int:
    if not APP.exists():
        raise CliError(f"{APP} is missing: run `pulse dashboard` from a source checkout (`pip install -e .`)")
    port = args.port or Settings.from_env().dashboard_port
    print(f"dashboard: http://127.0.0.1:{port}  (Ctrl-C stops it)", flush=True)
    return subprocess.call(streamlit_command(port), cwd=APP.parent, env=os.environ.copy())
