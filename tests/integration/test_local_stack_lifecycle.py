"""`up` / `status` / `down` of a private stack on other ports, so the shared stack is untouched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from talent_pulse.jvm_build import PrerequisiteMissing
from talent_pulse.local_stack.supervisor import LocalStack, RedisServer, kraft_cluster_id
from talent_pulse.settings import Settings


def _private_settings(tmp_path, base_port: int) -> Settings:
    return Settings.from_env(
        kafka_bootstrap=f"127.0.0.1:{base_port}",
        redis_url=f"redis://127.0.0.1:{base_port + 10}/0",
        aws_endpoint_url=f"http://127.0.0.1:{base_port + 20}",
        data_dir=str(tmp_path / "stack"),
        lake_uri="s3://lifecycle-bucket/lake",
        checkpoint_uri="s3://lifecycle-bucket/checkpoints",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip() not in (
        "",
        "Z",
    )


def test_up_is_idempotent_and_down_leaves_nothing(tmp_path, local_stack):
    stack = LocalStack(_private_settings(tmp_path, 19192), log=lambda line: None)
    try:
        stack.up()
        first = {s.name: s for s in stack.status()}
        assert all(s.answering for s in first.values()), {n: s.detail for n, s in first.items()}
        assert "job-postings" in first["kafka"].detail
        assert "lifecycle-bucket" in first["s3"].detail

        stack.up()
        second = {s.name: s for s in stack.status()}
        assert {n: s.pid for n, s in second.items()} == {n: s.pid for n, s in first.items()}
    finally:
        stopped = stack.down()
    assert sorted(stopped) == ["kafka", "redis", "s3"]
    assert not any(_alive(s.pid) for s in first.values())
    assert not any(s.answering or s.running for s in stack.status())
    assert stack.down() == []


def test_port_taken_by_a_stranger_is_a_clear_error(tmp_path):
    settings = _private_settings(tmp_path, 19292)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 19302))
        squatter.listen()
        with pytest.raises(RuntimeError, match=r"127\.0\.0\.1:19302 is already in use .* stop it"):
            RedisServer(settings, tmp_path, log=lambda line: None).start()


def test_missing_redis_server_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrerequisiteMissing, match="apt-get install -y redis-server"):
        RedisServer(_private_settings(tmp_path, 19392), tmp_path, log=lambda line: None).prepare()


def test_status_cli_reports_every_service(local_stack):
    result = subprocess.run(
        [sys.executable, "-m", "talent_pulse.cli.main", "local", "status"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name, address in (("kafka", "127.0.0.1:9092"), ("redis", "127.0.0.1:6379"), ("s3", "127.0.0.1:4566")):
        line = next(line for line in result.stdout.splitlines() if line.startswith(name))
        assert address in line and "answering" in line


def test_kraft_cluster_ids_never_look_like_an_option():
    ids = {kraft_cluster_id() for _ in range(5000)}  # one plain base64 id in 64 starts with "-"
    assert len(ids) == 5000 and not any(cluster_id.startswith("-") for cluster_id in ids)
    assert all(len(cluster_id) == 22 for cluster_id in ids)
