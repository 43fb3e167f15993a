"""docs/deploy.md and the example files stay true to the configuration they describe."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import boto3
from infra_support import INFRA, REPO, hcl_loads, require_tool, run, unquote

DOC = REPO / "docs" / "deploy.md"
COST_SCRIPT = INFRA / "scripts" / "cost_estimate.py"
SMALL = INFRA / "small.tfvars.example"


def _cost_table(*tfvars) -> str:
    result = subprocess.run([sys.executable, COST_SCRIPT, *tfvars], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def _doc_table(name: str) -> str:
    match = re.search(rf"<!-- cost: {name} -->\n(.*?)\n<!-- /cost -->", DOC.read_text("utf-8"), flags=re.S)
    assert match, f"docs/deploy.md lacks the {name} cost table"
    return match.group(1).strip()


def test_the_cost_tables_are_the_scripts_output_for_the_defaults_and_the_small_example():
    assert _doc_table("defaults") == _cost_table(), "rerun infra/scripts/cost_estimate.py into docs/deploy.md"
    assert _doc_table("small") == _cost_table(SMALL), "rerun infra/scripts/cost_estimate.py infra/small.tfvars.example"


def _total(table: str) -> float:
    return float(re.search(r"\*\*total\*\* \|.*\*\*([\d,.]+)\*\*", table).group(1).replace(",", ""))


def test_the_small_example_costs_less_and_its_numbers_follow_the_formula():
    default, small = _cost_table(), _cost_table(SMALL)
    assert _total(small) < _total(default) / 2
    emr = next(line for line in default.splitlines() if line.startswith("| EMR Serverless"))
    # 3 workers × (2 vCPU × $0.052624 + 8 GB × $0.0057785) × 730 h
    assert emr.endswith(f"| {3 * (2 * 0.052624 + 8 * 0.0057785) * 730:,.2f} |")


def test_the_tftest_small_run_uses_the_small_example_values():
    """infra/tests/variants.tftest.hcl plans the small example's variables; they must be the file's."""
    example = {k: v for k, v in hcl_loads(SMALL.read_text("utf-8")).items() if not k.startswith("__")}
    text = (INFRA / "tests" / "variants.tftest.hcl").read_text("utf-8")
    block = re.search(
        r'run "the_small_example_is_the_cheap_shape" \{\n  command = plan\n\n  (variables \{.*?\n  \})',
        text,
        flags=re.S,
    )
    assert block, "the small-example run is missing from variants.tftest.hcl"
    planned = hcl_loads(block.group(1).replace("\n  ", "\n"))["variables"][0]
    assert {k: v for k, v in planned.items() if not k.startswith("__")} == example


def test_the_backend_example_keeps_state_in_s3_with_native_locking(tmp_path, moto_env):
    """The example, pointed at a moto server, initialises and stores state with a lock file."""
    tofu = require_tool("tofu")
    backend = hcl_loads((INFRA / "backend.tf.example").read_text("utf-8"))["terraform"][0]["backend"][0]['"s3"']
    assert backend["encrypt"] is True and backend["use_lockfile"] is True
    bucket, key = unquote(backend["bucket"]), unquote(backend["key"])
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_env["AWS_ENDPOINT_URL"],
        region_name=moto_env["AWS_REGION"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    s3.create_bucket(Bucket=bucket)
    # Versioning keeps a trace of the lock object after it is released.
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    (tmp_path / "backend.tf").write_text((INFRA / "backend.tf.example").read_text("utf-8"), "utf-8")
    (tmp_path / "main.tf").write_text('resource "terraform_data" "marker" {\n  input = "state"\n}\n', "utf-8")
    emulator = [
        "-backend-config=region=" + moto_env["AWS_REGION"],
        "-backend-config=use_path_style=true",
        "-backend-config=skip_credentials_validation=true",
        "-backend-config=skip_requesting_account_id=true",
        "-backend-config=skip_metadata_api_check=true",
        "-backend-config=skip_region_validation=true",
        f'-backend-config=endpoints={{s3="{moto_env["AWS_ENDPOINT_URL"]}"}}',
    ]
    init = run([tofu, "init", "-input=false", "-no-color", *emulator], cwd=tmp_path, env=moto_env)
    assert init.returncode == 0, init.stdout + init.stderr
    apply = run([tofu, "apply", "-input=false", "-no-color", "-auto-approve"], cwd=tmp_path, env=moto_env)
    assert apply.returncode == 0, apply.stdout + apply.stderr
    state = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert [r["type"] for r in state["resources"]] == ["terraform_data"]
    lock = s3.list_object_versions(Bucket=bucket, Prefix=f"{key}.tflock")
    assert lock.get("Versions") and lock.get("DeleteMarkers"), "the apply took and released the S3 lock object"
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"{key}.tflock").get("KeyCount") == 0
