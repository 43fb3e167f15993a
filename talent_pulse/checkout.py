"""Files that live in the project's source checkout only, never in the installed package.

Package data (vocabularies, tables, the Lua script) ships inside ``talent_pulse`` and is read
with ``importlib.resources``. The Maven projects under ``glue_or_emr_jobs/``, the streaming
job's entry point, the dashboard app, the Terraform root module and the labelled test cases
are parts of the repository; this is the one place that finds them, and the one error that
says what to do when the package runs outside a checkout.
"""

from __future__ import annotations

from pathlib import Path

# An editable install (or running from the tree) puts the package at <checkout>/talent_pulse.
CHECKOUT_ROOT = Path(__file__).resolve().parents[1]
CHECKOUT_MARKER = "pyproject.toml"


class CheckoutMissing(RuntimeError):
    """A file of the source checkout is needed but the package runs from elsewhere (e.g. an installed wheel)."""


def checkout_path(relative: str, what: str) -> Path:
    """``relative`` (a path inside the repository) under the checkout this package runs from.

    ``what`` names the file for the error message, e.g. "the streaming job's entry point".
    """
    path = CHECKOUT_ROOT / relative
    if not (CHECKOUT_ROOT / CHECKOUT_MARKER).is_file() or not path.exists():
        raise CheckoutMissing(
            f"{relative} ({what}) is part of the source checkout, not of the installed package, and "
            f"{CHECKOUT_ROOT} is not a checkout that holds it: clone the repository, install it editable "
            "there (`pip install -e .`) and run the command again"
        )
    return path
