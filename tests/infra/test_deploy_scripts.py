"""make deploy / make destroy entry points stop early with a next step when setup is missing."""

from __future__ import annotations

import re
import shutil

import pytest
from infra_support import INFRA, hcl_loads, run, unquote, variables_of


@pytest.mark.parametrize("script", ["deploy.sh", "destroy.sh"])
def test_script_without_tfvars_says_what_to_copy(script, tmp_path):
    # A copy of the scripts in a tree without infra/terraform.tfvars (the real tree may have one).
    shutil.copytree(INFRA / "scripts", tmp_path / "infra" / "scripts")
    result = run(["bash", tmp_path / "infra" / "scripts" / script], cwd=tmp_path, env={"TF_BIN": shutil.which("true")})
    assert result.returncode != 0
    assert "cp infra/terraform.tfvars.example infra/terraform.tfvars" in result.stderr


def test_tfvars_example_sets_every_variable_without_a_default():
    parsed = hcl_loads((INFRA / "terraform.tfvars.example").read_text("utf-8"))
    example = {name: value for name, value in parsed.items() if not name.startswith("__")}
    required = {name for name, spec in variables_of().items() if "default" not in spec}
    assert required and required <= set(example), f"terraform.tfvars.example lacks {required - set(example)}"
    assert set(example) <= set(variables_of()), "terraform.tfvars.example sets unknown variables"
    assert all(unquote(c) != "0.0.0.0/0" for c in example["dashboard_allowed_cidrs"])


def _job_image_tag(tree):
    script = 'die() { echo "$*" >&2; exit 1; }; source infra/scripts/images.sh; job_image_tag'
    return run(["bash", "-c", f"repo_root={tree}; {script}"], cwd=tree)


@pytest.fixture()
def image_tree(tmp_path):
    """The runtime image's inputs in a scratch tree: Dockerfile, requirements, jars."""
    shutil.copytree(INFRA / "scripts", tmp_path / "infra" / "scripts")
    shutil.copytree(
        INFRA.parent / "glue_or_emr_jobs" / "image",
        tmp_path / "glue_or_emr_jobs" / "image",
        ignore=shutil.ignore_patterns("base-image.lock"),
    )
    (tmp_path / "build" / "jars").mkdir(parents=True)
    (tmp_path / "build" / "jars" / "talent-pulse-skill-matcher.jar").write_bytes(b"matcher v1")
    return tmp_path


def test_runtime_image_needs_a_base_pinned_by_digest(image_tree):
    result = _job_image_tag(image_tree)
    assert result.returncode != 0 and "make image-pin" in result.stderr
    (image_tree / "glue_or_emr_jobs" / "image" / "base-image.lock").write_text("example/emr-spark-8.0.0:latest\n")
    result = _job_image_tag(image_tree)
    assert result.returncode != 0 and "repository@sha256:<digest>" in result.stderr


def test_runtime_image_tag_follows_its_inputs(image_tree):
    base_image_lock = image_tree / "glue_or_emr_jobs" / "image" / "base-image.lock"
    base_image_lock.write_text("example/emr-spark-8.0.0@sha256:" + "a" * 64 + "\n")
    first = _job_image_tag(image_tree)
    assert first.returncode == 0, first.stderr
    assert re.fullmatch(r"rt-[0-9a-f]{16}\n", first.stdout)
    assert _job_image_tag(image_tree).stdout == first.stdout, "same inputs, same tag: nothing is rebuilt"
    (image_tree / "build" / "jars" / "talent-pulse-skill-matcher.jar").write_bytes(b"matcher v2")
    assert _job_image_tag(image_tree).stdout != first.stdout, "a changed jar gets a new immutable tag"


def test_runtime_image_refuses_to_build_without_the_skill_matcher(image_tree):
    (image_tree / "build" / "jars" / "talent-pulse-skill-matcher.jar").unlink()
    (image_tree / "build" / "jars" / "kafka.jar").write_bytes(b"kafka")
    result = _job_image_tag(image_tree)
    assert result.returncode != 0 and "make jars" in result.stderr
