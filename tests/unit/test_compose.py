"""Static checks of the Compose profile (docker-compose.yml, docker/Dockerfile, LocalStack hooks).

No Docker engine runs here, so the file is validated as text and with the Compose loader
itself: `docker compose config` when the plugin is installed, otherwise compose-go (the
library that plugin uses) built from docker/compose-check.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from talent_pulse.cli.main import build_parser
from talent_pulse.settings import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
PROJECT_DOCKERFILE = REPO / "docker" / "Dockerfile"
COMPOSE_CHECK_SRC = REPO / "docker" / "compose-check"
HOOK_DIR = REPO / "localstack" / "init" / "ready.d"
HOOKS = sorted(HOOK_DIR.glob("*.sh"))

# Variables read by the third-party images, not by our code. Everything else must be a Settings name.
THIRD_PARTY_ENV = {
    "AWS_ACCESS_KEY_ID",  # AWS SDKs (boto3, S3A, awslocal)
    "AWS_SECRET_ACCESS_KEY",
    "CLUSTER_ID",  # apache/kafka: KRaft cluster id used to format the storage
    "SERVICES",  # LocalStack: which emulated services to start
}
THIRD_PARTY_ENV_PREFIXES = ("KAFKA_",)  # apache/kafka: KAFKA_X_Y becomes x.y in server.properties
ONE_SHOT_CONDITION = "service_completed_successfully"
LOCALSTACK_TOKENLESS_TAG = "4.14.0"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _image_tag(image: str) -> str:
    name, _, tag = image.rpartition(":")
    return tag if name and "/" not in tag else ""


def _is_one_shot(service: dict) -> bool:
    return service.get("restart") == "no"


def _resolved_project(path: Path) -> subprocess.CompletedProcess:
    """The project as the Compose loader resolves it (JSON on stdout), or its error."""
    if _compose_plugin_works():
        command = ["docker", "compose", "-f", str(path), "config", "--format", "json"]
    else:
        command = [str(_compose_check_binary()), str(path)]
    return subprocess.run(command, capture_output=True, text=True, cwd=path.parent, timeout=120)


def _compose_plugin_works() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


def _compose_check_binary() -> Path:
    """Build docker/compose-check once per source version into the tool cache."""
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((COMPOSE_CHECK_SRC / name).read_bytes())
    binary = Path(Settings.from_env().cache_dir) / "bin" / f"compose-check-{digest.hexdigest()[:12]}"
    if binary.exists():
        return binary
    go = shutil.which("go")
    assert go, "neither the Docker Compose plugin nor Go is installed: install Go (make install) to validate"
    binary.parent.mkdir(parents=True, exist_ok=True)
    build = subprocess.run(
        [go, "build", "-trimpath", "-o", str(binary), "."],
        cwd=COMPOSE_CHECK_SRC,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, f"building docker/compose-check failed:\n{build.stderr}"
    return binary


@pytest.fixture(scope="module")
def resolved() -> dict:
    result = _resolved_project(COMPOSE_FILE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_loader_accepts_the_profile(resolved):
    assert set(resolved["services"]) == {
        "kafka",
        "kafka-init",
        "redis",
        "localstack",
        "spark-jars",
        "skill-matcher-jar",
        "spark-job",
        "producer",
        "dashboard",
    }


@pytest.mark.parametrize(
    "break_it, error",
    [
        (lambda s: s["producer"]["depends_on"].update(zookeeper={"condition": "service_healthy"}), "zookeeper"),
        (lambda s: s["redis"]["healthcheck"].update(intervall="5s"), "intervall"),
    ],
    ids=["undefined-dependency", "misspelt-key"],
)
def test_compose_loader_rejects_a_broken_copy(compose, tmp_path, break_it, error):
    broken = json.loads(json.dumps(compose))
    break_it(broken["services"])
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    result = _resolved_project(path)
    assert result.returncode != 0 and error in result.stderr


def test_every_image_is_pinned_to_an_explicit_tag(services):
    for name, service in services.items():
        assert "image" in service, f"{name}: name the image (built ones too) with an explicit tag"
        tag = _image_tag(service["image"])
        assert tag and tag != "latest", f"{name}: image {service['image']!r} is not pinned"
    base_images = re.findall(r"^FROM\s+(\S+)", PROJECT_DOCKERFILE.read_text(), re.MULTILINE)
    assert base_images and all(_image_tag(image) not in ("", "latest") for image in base_images)


def test_images_match_the_cloud_versions(services):
    pyspark = next(
        d
        for d in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
        if d.startswith("pyspark==")
    )
    spark_base = re.search(r"^FROM\s+apache/spark:(\S+)", PROJECT_DOCKERFILE.read_text(), re.MULTILINE)
    assert spark_base and spark_base.group(1).startswith(pyspark.split("==")[1] + "-scala2.13-java17")
    requires_python = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    python_minor = re.search(r">=(3\.\d+)", requires_python).group(1)
    assert f"python{python_minor} -m venv" in PROJECT_DOCKERFILE.read_text()
    assert _image_tag(services["kafka"]["image"]).startswith("4.1.")  # the MSK 4.1.x line
    assert services["localstack"]["image"] == f"localstack/localstack:{LOCALSTACK_TOKENLESS_TAG}"


def test_build_context_keeps_what_the_dockerfile_copies():
    ignore = (REPO / "docker" / "Dockerfile.dockerignore").read_text().splitlines()
    kept = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    for line in PROJECT_DOCKERFILE.read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert source in kept and (REPO / source).exists(), f"COPY {source}: not in the build context"


def test_environment_uses_settings_names_or_known_third_party_names(services):
    allowed = set(Settings.env_names()) | THIRD_PARTY_ENV
    for name, service in services.items():
        for variable in service.get("environment", {}):
            assert variable in allowed or variable.startswith(THIRD_PARTY_ENV_PREFIXES), (
                f"{name}: {variable} is neither a Settings env name nor a known third-party variable"
            )


def _strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node


def test_nothing_is_read_from_the_host_environment(compose):
    for text in _strings(compose):
        assert "$" not in text.replace("$$", ""), f"{text!r} interpolates a host variable; set values in the file"


def test_every_service_parses_as_settings_and_they_agree(services):
    seen: dict[str, tuple[str, str]] = {}
    for name, service in services.items():
        environment = {k: str(v) for k, v in service.get("environment", {}).items()}
        Settings.from_env(environment)  # typed and validated exactly as the code reads them
        for variable, value in environment.items():
            first = seen.setdefault(variable, (name, value))
            assert first[1] == value, f"{variable}: {first[0]} says {first[1]!r}, {name} says {value!r}"


def test_container_side_references_are_set(resolved):
    """$NAME in a command (shell) and ${env.NAME} in a Spark conf (Hadoop) must be in that service's env."""
    for name, service in resolved["services"].items():
        words = " ".join((service.get("entrypoint") or []) + (service.get("command") or []))
        for variable in re.findall(r"\$\{?(?:env\.)?([A-Z_][A-Z0-9_]*)", words):
            assert variable in service.get("environment", {}), f"{name}: command reads unset ${variable}"


def test_published_ports_bind_loopback_only(services):
    for name, service in services.items():
        for port in service.get("ports", []):
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", f"{name}: port {port} must be published on 127.0.0.1"


def test_dependencies_exist_and_report_readiness(services):
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: use depends_on with conditions"
        for target, spec in depends_on.items():
            assert target in services, f"{name} depends on undefined {target}"
            if _is_one_shot(services[target]):
                assert spec["condition"] == ONE_SHOT_CONDITION, f"{name}: wait for one-shot {target} to finish"
            else:
                assert spec["condition"] == "service_healthy", f"{name}: wait for {target} to be healthy"
                assert "healthcheck" in services[target], f"{target} needs a healthcheck"


def test_long_running_services_have_healthchecks_and_one_shots_have_no_ports(services):
    for name, service in services.items():
        if _is_one_shot(service):
            assert not service.get("ports"), f"one-shot {name} publishes no ports"
        else:
            assert service.get("healthcheck", {}).get("test"), f"{name} needs a healthcheck"


def test_kafka_topic_is_the_settings_topic(services):
    settings = Settings()
    init = services["kafka-init"]
    assert init["environment"]["PULSE_POSTINGS_TOPIC"] == settings.postings_topic
    assert int(init["environment"]["PULSE_TOPIC_PARTITIONS"]) == settings.topic_partitions
    assert '--topic "$$PULSE_POSTINGS_TOPIC"' in init["command"][0]
    assert '--partitions "$$PULSE_TOPIC_PARTITIONS"' in init["command"][0]
    for consumer in ("producer", "spark-job"):
        assert services[consumer]["environment"]["PULSE_POSTINGS_TOPIC"] == settings.postings_topic


def test_spark_job_gets_the_skill_matcher_jar_built_from_the_repo(services):
    builder, job = services["skill-matcher-jar"], services["spark-job"]
    script = builder["command"][-1]
    pom = "glue_or_emr_jobs/skill-matcher/pom.xml"
    assert f"-f {pom} package" in script and (REPO / pom).is_file()
    assert "cp /tmp/skill-matcher/talent-pulse-skill-matcher.jar /jars/" in script
    volume = next(v.split(":")[0] for v in builder["volumes"] if v.split(":")[1] == "/jars")
    assert f"{volume}:/jars:ro" in job["volumes"]
    assert job["depends_on"]["skill-matcher-jar"]["condition"] == "service_completed_successfully"


def test_spark_job_runs_the_repo_job_with_the_pom_jars(services):
    jars, job = services["spark-jars"], services["spark-job"]
    assert jars["command"][jars["command"].index("-f") + 1] == "glue_or_emr_jobs/pom.xml"
    assert jars["command"][jars["command"].index("-P") + 1] == "local-s3a,local-iceberg"
    output = next(arg.split("=", 1)[1] for arg in jars["command"] if arg.startswith("-DoutputDirectory="))
    volume = next(v.split(":")[0] for v in jars["volumes"] if v.split(":")[1] == output)
    assert f"{volume}:/jars:ro" in job["volumes"] and "/jars/*" in job["command"]
    script = job["command"][-1]
    assert script.startswith("/app/") and (REPO / script.removeprefix("/app/")).is_file(), (
        f"{script} is not in the repo (docker/Dockerfile copies the repo's glue_or_emr_jobs/ to /app)"
    )


def test_producer_command_is_accepted_by_the_pulse_cli(services):
    command = services["producer"]["command"]
    assert command[0] == "pulse"
    args = build_parser().parse_args(command[1:])
    assert args.command == "produce" and callable(args.handler)


def test_dashboard_publishes_the_settings_port(services):
    dashboard = services["dashboard"]
    port = dashboard["environment"]["PULSE_DASHBOARD_PORT"]
    assert dashboard["ports"] == [f"127.0.0.1:{port}:{port}"]


def test_hooks_are_mounted_executable_and_parse(services):
    assert HOOKS, "no LocalStack ready hooks"
    assert "./localstack/init/ready.d:/etc/localstack/init/ready.d:ro" in services["localstack"]["volumes"]
    for hook in HOOKS:
        assert os.access(hook, os.X_OK), f"{hook} must be executable (chmod +x)"
        result = subprocess.run(["bash", "-n", str(hook)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


AWSLOCAL_STAND_IN = """#!/usr/bin/env bash
# Records s3api calls and keeps buckets as folders (awslocal only exists inside LocalStack).
echo "$*" >> "$STATE/calls"
bucket=$4
case "$2" in
  head-bucket) [[ -d "$STATE/buckets/$bucket" ]] ;;
  create-bucket) mkdir "$STATE/buckets/$bucket" ;;
  *) exit 64 ;;
esac
"""


def test_ready_hooks_create_the_settings_buckets_idempotently(services, tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "buckets").mkdir()
    awslocal = tmp_path / "bin" / "awslocal"
    awslocal.write_text(AWSLOCAL_STAND_IN)
    awslocal.chmod(0o755)
    env = {
        **{k: str(v) for k, v in services["localstack"]["environment"].items()},
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "STATE": str(tmp_path),
    }
    for _ in range(2):
        for hook in HOOKS:
            result = subprocess.run([str(hook)], env=env, capture_output=True, text=True)
            assert result.returncode == 0, result.stderr
    settings = Settings()
    expected = {urlparse(settings.lake_uri).netloc, urlparse(settings.checkpoint_uri).netloc}
    assert {p.name for p in (tmp_path / "buckets").iterdir()} == expected
    creates = [line for line in (tmp_path / "calls").read_text().splitlines() if "create-bucket" in line]
    assert len(creates) == len(expected), "a second run must not create buckets again"


def test_job_and_dashboard_share_the_lake_catalog(services):
    """The SQLite catalog file is written by the job and read by the dashboard: one volume, one path."""
    job, dashboard = services["spark-job"], services["dashboard"]
    uri = job["environment"]["PULSE_LAKE_CATALOG_URI"]
    assert uri == dashboard["environment"]["PULSE_LAKE_CATALOG_URI"] and uri.startswith("jdbc:sqlite:/")
    folder = uri.removeprefix("jdbc:sqlite:").rsplit("/", 1)[0]
    mounted = {v.split(":")[0] for service in (job, dashboard) for v in service["volumes"] if v.split(":")[1] == folder}
    assert len(mounted) == 1
