"""The streaming job's runtime image (glue_or_emr_jobs/image): its pins are the job's imports.

EMR Serverless runs the job on the emr-spark-8.0.0 image, which brings Spark (pyspark + py4j)
and nothing else the job imports. The runtime image adds exactly the pins of
glue_or_emr_jobs/image/requirements.txt. So a fresh venv of exactly those pins, with pyspark and
py4j from outside (as Spark's python/ folder on EMR) and the project as the talent_pulse.zip that
the job run ships with --py-files, must import every entry point and the modules the executors
unpickle. A new import that is not pinned fails here, not on EMR.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from infra_support import REPO, require_tool, run

IMAGE_DIR = REPO / "glue_or_emr_jobs" / "image"
REQUIREMENTS = IMAGE_DIR / "requirements.txt"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>[^\s;]+)\s*(?:;.*)?$")
# Every module of the job's packages (the stream and the lake), found on disk so a new one cannot slip past,
# plus the ground-floor modules they stand on; the entry points import them too. reconcile and rebuild are
# `pulse lake` commands that read the lake with DuckDB on the user's machine; no EMR job runs them.
CLI_ONLY = {"talent_pulse.lake.reconcile", "talent_pulse.lake.rebuild"}
JOB_MODULES = sorted(
    {
        f"talent_pulse.{path.parent.name}.{path.stem}"
        for package in ("stream", "lake")
        for path in (REPO / "talent_pulse" / package).glob("*.py")
        if path.stem != "__init__"
    }
    - CLI_ONLY
    | {"talent_pulse.serving", "talent_pulse.settings", "talent_pulse.contract", "talent_pulse.gazetteer"}
)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            match = PIN.match(line)
            assert match, f"{path.name}: not an exact pin: {line!r}"
            pins[_normal(match["name"])] = match["version"]
    return pins


def test_image_pins_equal_the_projects_pins():
    """The tests run with pyproject's pins: the image must carry the very same versions."""
    project = dict(
        _normal(d.split("==")[0]) and (_normal(d.split("==")[0]), d.split("==")[1])
        for d in tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    )
    image = _pins(REQUIREMENTS)
    shared = set(project) & set(image)
    assert {"boto3", "pandas", "pyarrow", "redis", "pyyaml", "numpy"} <= shared
    assert {name: image[name] for name in shared} == {name: project[name] for name in shared}
    assert "pyspark" not in image, "pyspark comes with the emr-spark-8.0.0 base image"


def _package_zip(destination: Path) -> Path:
    """talent_pulse.zip as `make package-job` builds it (the job run's --py-files)."""
    archive = destination / "talent_pulse.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((REPO / "talent_pulse").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                zf.write(path, path.relative_to(REPO))
    return archive


def _spark_python(destination: Path) -> Path:
    """pyspark and py4j alone on a path, as Spark's python/ folder puts them on EMR."""
    import py4j
    import pyspark

    folder = destination / "spark-python"
    folder.mkdir()
    for module in (pyspark, py4j):
        package = Path(module.__file__).parent
        (folder / package.name).symlink_to(package, target_is_directory=True)
    return folder


IMPORT_PROBE = """
import importlib, importlib.util, json, sys, sysconfig
from pathlib import Path
entry_points, job_modules = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for path in entry_points:
    spec = importlib.util.spec_from_file_location("entry_" + Path(path).stem, path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
for name in job_modules:
    importlib.import_module(name)
# Imports inside functions (lazy ones) of every project module now loaded must resolve too.
import ast, zipimport
unresolved = {}
for name, module in list(sys.modules.items()):
    if name.split(".")[0] != "talent_pulse" or not getattr(module, "__file__", None):
        continue
    tree = ast.parse(module.__loader__.get_source(name) or "")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            tops = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops = [node.module.split(".")[0]]
        else:
            continue
        for top in tops:
            if top != "__future__" and importlib.util.find_spec(top) is None:
                unresolved.setdefault(top, []).append(name)
stdlib = sysconfig.get_paths()["stdlib"]
origins = {"unresolved": unresolved}
for name, module in list(sys.modules.items()):
    top = name.split(".")[0]
    where = getattr(module, "__file__", None)
    if top in origins or where is None or where.startswith(stdlib):
        continue
    origins[top] = where
print(json.dumps(origins))
"""


def test_a_fresh_venv_of_exactly_the_pins_imports_the_job(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    # This interpreter's pip installs into the venv (no pip copied in); wheels only and no
    # resolver: the file is the whole closure. pip's wheel cache makes reruns fast.
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    install = subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--only-binary=:all:", "--requirement", REQUIREMENTS],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    check = subprocess.run([*pip, "check"], capture_output=True, text=True)
    assert check.returncode == 0, f"the pins are not a consistent closure:\n{check.stdout}{check.stderr}"

    path = os.pathsep.join([str(_package_zip(tmp_path)), str(_spark_python(tmp_path))])
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": path, "PYTHONNOUSERSITE": "1"}
    entry_points = sorted(str(p) for p in (REPO / "glue_or_emr_jobs").glob("*.py"))
    assert entry_points, "no entry points in glue_or_emr_jobs/"
    probe = subprocess.run(
        [python, "-c", IMPORT_PROBE, json.dumps(entry_points), json.dumps(JOB_MODULES)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert probe.returncode == 0, (
        "the job imports a module that glue_or_emr_jobs/image/requirements.txt does not pin "
        f"(add it there, with its dependencies, at pyproject.toml's version):\n{probe.stderr[-3000:]}"
    )

    origins = json.loads(probe.stdout)
    assert origins.pop("unresolved") == {}, "imports inside the job's modules that the pins do not provide"
    allowed_roots = (str(venv), str(tmp_path / "talent_pulse.zip"), str(tmp_path / "spark-python"))
    outside = {name: where for name, where in origins.items() if not where.startswith(allowed_roots)}
    assert outside == {}, f"imported from outside the image's pins: {outside}"
    assert {"redis", "pyarrow", "talent_pulse", "pyspark"} <= set(origins)  # no pandas UDF on the job path any more


def _hadolint():
    return require_tool("hadolint")


@pytest.mark.parametrize("dockerfile", ["glue_or_emr_jobs/image/Dockerfile", "dashboard/Dockerfile"])
def test_dockerfile_passes_hadolint(dockerfile):
    result = run([_hadolint(), "--failure-threshold", "warning", "--no-color", dockerfile])
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_a_planted_mistake(tmp_path):
    planted = tmp_path / "Dockerfile"
    planted.write_text("FROM python:latest\nRUN cd /tmp && pip install redis\n", "utf-8")
    result = run([_hadolint(), "--failure-threshold", "warning", "--no-color", planted])
    assert result.returncode != 0 and "DL3007" in result.stdout and "DL3013" in result.stdout


@pytest.mark.parametrize("dockerfile", ["glue_or_emr_jobs/image/Dockerfile", "dashboard/Dockerfile"])
def test_dockerfile_passes_checkovs_dockerfile_checks(dockerfile):
    result = run(
        [
            require_tool("checkov"),
            "-f",
            dockerfile,
            "--framework",
            "dockerfile",
            "--skip-download",
            "--compact",
            "-o",
            "json",
        ],
        env={"BC_SKIP_MAPPING": "TRUE"},
    )
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = [f"{c['check_id']}: {c['check_name']}" for c in report["results"]["failed_checks"]]
    assert failed == [] and report["summary"]["passed"] > 20, failed


def test_runtime_image_runs_as_hadoop_from_a_digest_pinned_base():
    text = (IMAGE_DIR / "Dockerfile").read_text("utf-8")
    assert re.search(r"^FROM \$\{EMR_BASE_IMAGE\}$", text, flags=re.M)
    assert text.rstrip().splitlines()[-1] == "USER hadoop:hadoop", "EMR Serverless refuses images that end as root"
    assert "--no-deps --requirement /opt/talent-pulse/requirements.txt" in text
    images = (REPO / "infra" / "scripts" / "images.sh").read_text("utf-8")
    assert "@sha256:[0-9a-f]{64}" in images, "builds must refuse a base image that is not pinned by digest"
