"""make deploy / make destroy entry points stop early with a next step when setup is missing."""

from __future__ import annotations

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
