"""Fixtures of the offline Terraform checks (marker `infra`)."""

from __future__ import annotations

import json
import socket

import pytest
from infra_support import REGION, require_tool


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/infra/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.infra)


@pytest.fixture(scope="session")
def provider_schema() -> dict:
    """hashicorp/aws 6.x argument schema extracted by build_tools.sh from @cdktn/provider-aws."""
    with require_tool("aws-provider-schema.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def moto_env():
    """A moto server on 127.0.0.1 (stopped afterwards) and the environment that points AWS clients at it."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }
    finally:
        server.stop()
