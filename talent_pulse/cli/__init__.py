"""The `pulse` command: one module per command group, each exposing ``register(subparsers)``."""

import argparse
from typing import TypeAlias

# What each command module's `register` receives (a string: argparse's class is generic only in typeshed).
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
