"""Entry point of the `pulse` CLI. It only wires command modules together."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import socket
import sys
from collections.abc import Iterator, MutableMapping
from urllib.parse import urlparse

from talent_pulse.checkout import CheckoutMissing
from talent_pulse.cli.errors import CliError
from talent_pulse.settings import Settings, SettingsError, resolve_environment

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
# Commands that talk to Kafka, Redis or S3: they stop with one line when nothing is reachable.
SERVICE_COMMANDS = frozenset({"stream", "produce", "stats", "query", "dashboard"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pulse", description="Global Talent Pulse: local stack, pipeline and tools")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


@contextlib.contextmanager
def resolved_environment(environ: MutableMapping[str, str] = os.environ) -> Iterator[str]:
    """This process's environment completed while a command runs (its children inherit it); yields a
    problem line or ''. The additions are taken back afterwards, for callers of `main` in-process.

    The rule is `talent_pulse.settings.resolve_environment`: an unconfigured shell uses the running
    local stack with the values `pulse local env` prints.
    """
    from talent_pulse.local_stack.supervisor import local_environment

    local_env = local_environment(Settings.from_env(environ))
    resolution = resolve_environment(
        environ, local_env, lambda: _silent_services(Settings.from_env(local_env)), _aws_credentials_found
    )
    environ.update(resolution.added)
    try:
        yield resolution.problem
    finally:
        for name, value in resolution.added.items():
            if environ.get(name) == value:
                del environ[name]


def _silent_services(settings: Settings) -> list[str]:
    addresses = {
        "Kafka": f"tcp://{settings.kafka_bootstrap.split(',')[0]}",
        "Redis": settings.redis_url,
        "S3 emulator": settings.aws_endpoint_url,
    }
    silent = []
    for name, address in addresses.items():
        parsed = urlparse(address)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((parsed.hostname or "127.0.0.1", parsed.port or 0)) != 0:
                silent.append(f"{name} {parsed.hostname}:{parsed.port}")
    return silent


def _aws_credentials_found() -> bool:
    import boto3

    return boto3.Session().get_credentials() is not None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with resolved_environment() as problem:
            if problem and args.command in SERVICE_COMMANDS:
                raise CliError(problem)
            return int(args.handler(args) or 0)
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (CliError, SettingsError, CheckoutMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
