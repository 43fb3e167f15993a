"""Fixtures of the offline Terraform checks (marker `infra`)."""

from __future__ import annotations

import json

import pytest

from infra_support import require_tool


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/infra/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.infra)


@pytest.fixture(scope="session")
def provider_schema() -> dict:
    """hashicorp/aws 6.x argument schema extracted by build_tools.sh from @cdktn/provider-aws."""
    with require_tool("aws-provider-schema.json").open(encoding="utf-8") as fh:
        return json.load(fh)
