"""The serving layer's ElastiCache RBAC users (infra/elasticache.tf) on a real redis-server.

Terraform's access strings are loaded into a private redis-server (ACL SETUSER takes the same
syntax ElastiCache does); then the project's own client factory connects as each user through
the URL form Terraform gives each runtime: the job's writes pass as the writer, the dashboard's
reads pass as the reader, and the reader cannot write.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis
from infra_support import locals_of, unquote

from talent_pulse.serving import BatchDelta, apply_batch, read_snapshot, redis_client
from talent_pulse.settings import Settings

NAMESPACE = Settings().serving_namespace


def _access_strings() -> dict[str, str]:
    local = locals_of()
    pattern = unquote(local["redis_key_pattern"]).replace("${var.serving_namespace}", NAMESPACE)
    users = {
        role: unquote(spec["access_string"]).replace("${local.redis_key_pattern}", pattern)
        for role, spec in local["redis_users"].items()
    }
    assert set(users) == {"writer", "reader"} and all("${" not in s for s in users.values()), users
    return users


@pytest.fixture(scope="module")
def acl_server(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: .ci/prerequisites.sh installs it", pytrace=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis-acl")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    admin = redis.Redis(port=port, decode_responses=True)
    for _ in range(100):
        try:
            admin.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    passwords = {}
    for role, access in _access_strings().items():
        passwords[role] = f"{role}-password-0123456789"
        admin.execute_command("ACL", "SETUSER", f"talent-pulse-{role}", "reset", *access.split(), f">{passwords[role]}")
    admin.execute_command("ACL", "SETUSER", "default", "off", "-@all")  # as aws_elasticache_user.disabled_default
    try:
        yield port, passwords
    finally:
        process.terminate()
        process.wait(timeout=10)


def _client(port: int, role: str, password: str):
    # The URL shape of local.redis_urls (plain redis:// here: this server has no TLS).
    return redis_client(Settings(redis_url=f"redis://talent-pulse-{role}@127.0.0.1:{port}/0", redis_password=password))


def test_the_job_writes_as_the_writer_and_the_dashboard_reads_as_the_reader(acl_server):
    port, passwords = acl_server
    writer, reader = _client(port, "writer", passwords["writer"]), _client(port, "reader", passwords["reader"])
    delta = BatchDelta(postings=3, skills={"Python": 2, "Rust": 1}, locations={"berlin-de": 3})
    assert apply_batch(writer, NAMESPACE, "query-1", 1, delta)
    assert not apply_batch(writer, NAMESPACE, "query-1", 1, delta), "the batch fence works under the writer's ACL"

    snapshot = read_snapshot(reader, NAMESPACE)
    assert snapshot.meta.postings == 3 and dict(snapshot.top_skills)["Python"] == 2


def test_the_reader_cannot_write_or_reach_other_keys(acl_server):
    port, passwords = acl_server
    reader = _client(port, "reader", passwords["reader"])
    with pytest.raises(redis.exceptions.NoPermissionError):
        apply_batch(reader, NAMESPACE, "query-2", 1, BatchDelta(postings=1))
    with pytest.raises(redis.exceptions.NoPermissionError):
        reader.set(f"{{{NAMESPACE}}}:meta", "x")
    with pytest.raises(redis.exceptions.NoPermissionError):
        reader.get("not-the-namespace")


def test_the_writer_cannot_flush_or_leave_the_namespace(acl_server):
    port, passwords = acl_server
    writer = _client(port, "writer", passwords["writer"])
    with pytest.raises(redis.exceptions.NoPermissionError):
        writer.flushall()
    with pytest.raises(redis.exceptions.NoPermissionError):
        writer.set("not-the-namespace", "x")


def test_nobody_gets_in_as_default(acl_server):
    port, _ = acl_server
    with pytest.raises((redis.exceptions.AuthenticationError, redis.exceptions.ResponseError)):
        redis.Redis(port=port).ping()
