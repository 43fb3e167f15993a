"""Start, stop and probe the local stack's processes.

Every service binds 127.0.0.1, keeps its state, log and pid file under the data
folder, and is probed with a real round trip (Kafka metadata request, Redis
PING, S3 ListBuckets). ``up`` is idempotent; ``down`` stops only the processes
whose pid files it wrote.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from talent_pulse.jvm_build import Log, PrerequisiteMissing, resolve_jars, streaming_job_jars
from talent_pulse.lake.catalog import S3_SCHEMES, sqlite_files, sqlite_path
from talent_pulse.settings import Settings

LOCAL_S3_ENDPOINT = "http://127.0.0.1:4566"
LOCAL_AWS_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
KAFKA_HEAP = "-Xmx768m"


def _package_file(name: str, dest: Path) -> Path:
    """A file shipped in this package (importlib.resources), copied to ``dest`` for a tool that wants a path."""
    text = resources.files(__package__).joinpath(name).read_text("utf-8")
    if not dest.exists() or dest.read_text("utf-8") != text:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, "utf-8")
    return dest


def kafka_broker_jars(cache_dir: Path, log: Log = print) -> list[Path]:
    """The Kafka broker's jars (Apache Kafka by Maven coordinates in kafka-broker.pom.xml)."""
    pom = _package_file("kafka-broker.pom.xml", cache_dir / "jars" / "kafka-broker.pom.xml")
    return resolve_jars(pom, cache_dir / "jars" / "kafka-broker", log=log)


def local_environment(settings: Settings) -> dict[str, str]:
    """Environment that points every component at the local stack (`pulse local env`)."""
    return {
        "PULSE_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "PULSE_REDIS_URL": settings.redis_url,
        "AWS_ENDPOINT_URL": settings.aws_endpoint_url or LOCAL_S3_ENDPOINT,
        "AWS_REGION": settings.aws_region,
        # absolute, because supervised children run in their own state folders
        "PULSE_DATA_DIR": str(Path(settings.data_dir).resolve()),
        **{key: os.environ.get(key, value) for key, value in LOCAL_AWS_CREDENTIALS.items()},
    }


def local_settings() -> Settings:
    """Settings pointing at the local stack, also exported to this process so its children inherit them."""
    os.environ.update(local_environment(Settings.from_env()))
    return Settings.from_env()


def _host_port(address: str, default_port: int) -> tuple[str, int]:
    parsed = urlparse(address if "://" in address else f"tcp://{address}")
    return parsed.hostname or "127.0.0.1", parsed.port or default_port


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _require(binary: str, hint: str) -> str:
    path = shutil.which(binary)
    if path is None:
        raise PrerequisiteMissing(f"{binary} not found: {hint}")
    return path


def _require_java17() -> str:
    java = _require("java", "install a JDK 17+ (apt-get install -y openjdk-17-jdk-headless)")
    output = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)', output)
    if not match or int(match.group(1)) < 17:
        first_line = output.splitlines()[0] if output else "?"
        raise PrerequisiteMissing(
            f"Java 17+ not found (java -version says: {first_line}): "
            "install openjdk-17-jdk-headless or put a JDK 17+ first on PATH"
        )
    return java


@dataclass
class ServiceStatus:
    name: str
    address: str
    running: bool
    answering: bool
    detail: str
    pid: int | None
    log: Path


class Service:
    """A process of the local stack with a pid file, a log file and a real probe."""

    name = "service"

    def __init__(self, settings: Settings, data_dir: Path, log: Callable[[str], None] = print):
        self.settings = settings
        self.data_dir = data_dir
        self.log = log
        self.pid_file = data_dir / "run" / f"{self.name}.pid"
        self.log_file = data_dir / "logs" / f"{self.name}.log"
        self.state_dir = data_dir / self.name

    # --- what each service defines -------------------------------------------------
    host: str = "127.0.0.1"
    port: int | None = None  # None: a worker process without a listening port

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}" if self.port else "-"

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """One-time work before the first start (formatting storage, resolving jars)."""

    def probe(self) -> str:
        """A real round trip; returns a short detail or raises."""
        raise NotImplementedError

    def provision(self) -> None:
        """Idempotent set-up once the service answers (topics, buckets)."""

    def after_fresh_start(self) -> None:
        """Work after this stack started a new process of the service (not when one was already running)."""

    # --- process management shared by all ----------------------------------------
    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def answering(self) -> tuple[bool, str]:
        if self.port is None and self.pid() is None:
            return False, "not running"
        if self.port is not None and not _port_open(self.host, self.port):
            return False, "port closed"
        try:
            return True, self.probe()
        except Exception as exc:
            return False, f"{type(exc).__name__}: {str(exc)[:160]}"

    def start(self, timeout: float = 90.0) -> None:
        if self.pid() is not None:
            ok, detail = self.answering()
            if ok:
                self.log(f"  {self.name:<6} already running at {self.address} ({detail})")
                self.provision()
                return
            self.log(f"  {self.name:<6} pid {self.pid()} is not answering; restarting it")
            self.stop()
        if self.port is not None and _port_open(self.host, self.port):
            ok, detail = self.answering()
            if ok:  # e.g. the same stack started from another folder (its own PULSE_DATA_DIR): use it
                self.log(
                    f"  {self.name:<6} already answering at {self.address} ({detail}), started outside "
                    f"{self.data_dir}; `pulse local down` here leaves it running"
                )
                self.provision()
                return
            raise RuntimeError(
                f"{self.address} is already in use by a process this stack did not start "
                f"(`ss -ltnp 'sport = :{self.port}'` shows it): stop it, or point the setting for {self.name} "
                "at a free port"
            )
        self.prepare()
        for folder in (self.pid_file.parent, self.log_file.parent, self.state_dir):
            folder.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log_handle:
            process = subprocess.Popen(
                self.command(),
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.state_dir,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {process.returncode} at start; see {self.log_file}")
            ok, detail = self.answering()
            if ok:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not answer within {timeout:.0f}s ({detail}); see {self.log_file}")
            time.sleep(0.5)
        self.provision()
        self.after_fresh_start()
        self.log(f"  {self.name:<6} up at {self.address} ({detail}), pid {process.pid}, log {self.log_file}")

    def stop(self, timeout: float = 30.0) -> bool:
        pid = self.pid()
        self.pid_file.unlink(missing_ok=True)
        if pid is None:
            return False
        return stop_process_group(pid, signal.SIGTERM, timeout)

    def status(self) -> ServiceStatus:
        pid = self.pid()
        ok, detail = self.answering()
        return ServiceStatus(self.name, self.address, pid is not None, ok, detail, pid, self.log_file)


def stop_process_group(pid: int, first_signal: int, timeout: float) -> bool:
    """Send `first_signal` to process group `pid` and wait until none of it is left, SIGKILL after `timeout`
    seconds; False if there was no such group."""
    try:
        os.killpg(pid, first_signal)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        _reap(pid)  # a leader that is our child stays in the group as a zombie until reaped
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    _reap(pid)
    return True


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def kraft_cluster_id() -> str:
    """A random KRaft cluster id that, like Kafka's own, never starts with "-" (the format tool would take it
    for an option)."""
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


class KafkaBroker(Service):
    """Apache Kafka in KRaft mode (broker + controller in one process)."""

    name = "kafka"

    def __init__(self, settings: Settings, data_dir: Path, log: Log = print):
        super().__init__(settings, data_dir, log)
        self.host, self.port = _host_port(self.settings.kafka_bootstrap.split(",")[0], 9092)
        self.controller_port = self.port + 1
        self.jar_dir = Path(self.settings.cache_dir) / "jars" / "kafka-broker"

    def _properties(self) -> str:
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers={self.host}:{self.controller_port}",
                f"listeners=PLAINTEXT://{self.host}:{self.port},CONTROLLER://{self.host}:{self.controller_port}",
                f"advertised.listeners=PLAINTEXT://{self.host}:{self.port}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                f"log.dirs={self.state_dir / 'data'}",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                f"num.partitions={self.settings.topic_partitions}",
                "auto.create.topics.enable=false",
                "message.max.bytes=1048588",
                "",
            ]
        )

    def prepare(self) -> None:
        java = _require_java17()
        kafka_broker_jars(Path(self.settings.cache_dir), log=self.log)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        properties = self.state_dir / "server.properties"
        properties.write_text(self._properties())
        if (self.state_dir / "data" / "meta.properties").exists():
            return
        cluster_id = kraft_cluster_id()
        self.log(f"  kafka  formatting KRaft storage (cluster {cluster_id}) in {self.state_dir / 'data'}")
        result = subprocess.run(
            [
                java,
                "-cp",
                f"{self.jar_dir}/*",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(properties),
                "--standalone",
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"formatting Kafka storage failed: {result.stdout}{result.stderr}")

    def command(self) -> list[str]:
        log_config = _package_file("kafka-log4j2.properties", self.state_dir / "log4j2.properties")
        return [
            _require_java17(),
            KAFKA_HEAP,
            "-Xms256m",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log_config}",
            "-cp",
            f"{self.jar_dir}/*",
            "kafka.Kafka",
            str(self.state_dir / "server.properties"),
        ]

    def _admin(self) -> Any:
        from confluent_kafka.admin import AdminClient

        return AdminClient({"bootstrap.servers": self.address, "socket.timeout.ms": 3000, "log_level": 0})

    def probe(self) -> str:
        metadata = self._admin().list_topics(timeout=3)
        topics = sorted(t for t in metadata.topics if not t.startswith("__"))
        return f"{len(metadata.brokers)} broker, topics: {', '.join(topics) or 'none'}"

    def provision(self) -> None:
        from confluent_kafka.admin import NewTopic  # type: ignore[attr-defined]  # not re-exported in its stubs

        admin = self._admin()
        topic = self.settings.postings_topic
        if topic in admin.list_topics(timeout=5).topics:
            return
        futures = admin.create_topics(
            [NewTopic(topic, num_partitions=self.settings.topic_partitions, replication_factor=1)]
        )
        futures[topic].result(timeout=30)
        self.log(f"  kafka  created topic {topic} with {self.settings.topic_partitions} partitions")


class RedisServer(Service):
    name = "redis"

    def __init__(self, settings: Settings, data_dir: Path, log: Log = print):
        super().__init__(settings, data_dir, log)
        self.host, self.redis_port = _host_port(self.settings.redis_url, 6379)
        self.port = self.redis_port

    def command(self) -> list[str]:
        binary = _require("redis-server", "apt-get install -y redis-server")
        return [
            binary,
            "--bind",
            self.host,
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.state_dir),
            "--protected-mode",
            "yes",
        ]

    def prepare(self) -> None:
        _require("redis-server", "apt-get install -y redis-server")

    def probe(self) -> str:
        import redis

        client = redis.Redis(host=self.host, port=self.redis_port, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        return f"PONG, redis {client.info('server')['redis_version']}"


class S3Emulator(Service):
    """moto in server mode: S3 (path-style), Glue, IAM, STS, Secrets Manager ... on one port."""

    name = "s3"

    def __init__(self, settings: Settings, data_dir: Path, log: Log = print):
        super().__init__(settings, data_dir, log)
        self.endpoint = self.settings.aws_endpoint_url or LOCAL_S3_ENDPOINT
        self.host, self.port = _host_port(self.endpoint, 4566)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)]

    def _client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.settings.aws_region,
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", LOCAL_AWS_CREDENTIALS["AWS_ACCESS_KEY_ID"]),
            aws_secret_access_key=os.environ.get(
                "AWS_SECRET_ACCESS_KEY", LOCAL_AWS_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
            ),
            config=Config(
                s3={"addressing_style": "path"}, connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}
            ),
        )

    def probe(self) -> str:
        buckets = [b["Name"] for b in self._client().list_buckets()["Buckets"]]
        return f"buckets: {', '.join(buckets) or 'none'}"

    def provision(self) -> None:
        client = self._client()
        existing = {b["Name"] for b in client.list_buckets()["Buckets"]}
        for bucket in sorted(_buckets_in(self.settings) - existing):
            client.create_bucket(Bucket=bucket)
            self.log(f"  s3     created bucket {bucket}")

    def after_fresh_start(self) -> None:
        """moto keeps objects in memory, so a new emulator holds no lake: a local catalog file that names the
        last run's tables would make every later commit fail ("Location does not exist"). It goes too; the
        streaming job creates the tables again (and, its checkpoints gone as well, reads the topic again)."""
        catalog = sqlite_path(self.settings)
        if catalog is None or urlparse(self.settings.lake_uri).scheme not in S3_SCHEMES:
            return
        removed = [path for path in sqlite_files(catalog) if path.exists()]
        for path in removed:
            path.unlink()
        if removed:
            self.log(f"  s3     started empty: removed the lake catalog {catalog}, which named the last run's tables")


def _buckets_in(settings: Settings) -> set[str]:
    return {
        urlparse(uri).netloc
        for uri in (settings.lake_uri, settings.checkpoint_uri)
        if urlparse(uri).scheme in ("s3", "s3a")
    }


class LocalStack:
    def __init__(self, settings: Settings, log: Callable[[str], None] = print):
        self.settings = settings
        self.data_dir = Path(settings.data_dir).resolve()
        self.log = log
        self.services: list[Service] = [
            cls(settings, self.data_dir, log) for cls in (RedisServer, S3Emulator, KafkaBroker)
        ]

    def up(self) -> None:
        self.log(f"starting the local stack (state and logs under {self.data_dir})")
        for service in self.services:
            service.start()
        streaming_job_jars(Path(self.settings.cache_dir), log=self.log)

    def down(self) -> list[str]:
        stopped = [service.name for service in reversed(self.services) if service.stop()]
        return stopped

    def status(self) -> list[ServiceStatus]:
        return [service.status() for service in self.services]
