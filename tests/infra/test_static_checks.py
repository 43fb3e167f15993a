"""Format, provider schema, tflint and checkov over infra/ — the checks that need no provider binary."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from infra_support import INFRA, all_blocks, blocks_of, hcl_loads, require_tool, run, schema_violations

SKIP_COMMENT = re.compile(r"#\s*checkov:skip=(?P<id>CKV2?_[A-Z]+_\d+)(?P<rest>.*)")


def test_tofu_fmt_is_clean():
    tofu = require_tool("tofu")
    result = run([tofu, "fmt", "-check", "-recursive", "-diff", "infra"])
    assert result.returncode == 0, f"run `tofu fmt -recursive infra`:\n{result.stdout}{result.stderr}"


def test_every_block_matches_the_aws_provider_schema(provider_schema):
    blocks = all_blocks()
    assert len([b for b in blocks if b.type.startswith("aws_")]) > 80, "infra/ lost most of its resources"
    violations = [problem for block in blocks for problem in schema_violations(block, provider_schema)]
    assert violations == [], "\n".join(violations)


def test_schema_check_catches_unknown_missing_and_misplaced(provider_schema):
    planted = hcl_loads(
        """
        resource "aws_msk_topic" "t" {
          name            = "x"
          partition_count = 1
          retention_hours = 5
        }
        resource "aws_s3_bucket_versioning" "v" {
          bucket                   = "b"
          versioning_configuration = { status = "Enabled" }
        }
        resource "aws_lb_target_group" "g" {
          dynamic "health_check" {
            for_each = [1]
            content { pth = "/" }
          }
        }
        data "aws_no_such_thing" "n" {}
        """
    )
    problems = [p for block in blocks_of(planted, "planted.tf") for p in schema_violations(block, provider_schema)]
    expected = [
        "aws_msk_topic.t: unknown argument or block `retention_hours`",
        "aws_msk_topic.t: missing required argument `cluster_arn`",
        "aws_msk_topic.t: missing required argument `replication_factor`",
        "aws_s3_bucket_versioning.v: `versioning_configuration` is a block, not an argument",
        "aws_lb_target_group.g.health_check: unknown argument or block `pth`",
        "data.aws_no_such_thing.n: unknown data type",
    ]
    for fragment in expected:
        assert any(fragment in p for p in problems), f"{fragment!r} not reported in {problems}"


def _tflint(root: Path):
    tflint = require_tool("tflint")
    return run([tflint, "--recursive", "--format", "json", "--config", INFRA / ".tflint.hcl"], cwd=root)


def test_tflint_reports_nothing():
    result = _tflint(INFRA)
    report = json.loads(result.stdout)
    issues = [
        f"{i['range']['filename']}:{i['range']['start']['line']} {i['rule']['name']}: {i['message']}"
        for i in report["issues"]
    ]
    assert report["errors"] == [] and issues == [], "\n".join(issues) + json.dumps(report["errors"])


def test_tflint_catches_a_planted_mistake(tmp_path):
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(".terraform*"))
    (copy / "planted.tf").write_text('variable "unused" {}\n', encoding="utf-8")
    rules = {issue["rule"]["name"] for issue in json.loads(_tflint(copy).stdout)["issues"]}
    assert {"terraform_unused_declarations", "terraform_typed_variables", "terraform_documented_variables"} <= rules


def test_checkov_has_no_failures_and_every_skip_has_a_reason():
    checkov = require_tool("checkov")
    result = run(
        [checkov, "-d", "infra", "--framework", "terraform", "--skip-download", "--compact", "-o", "json"],
        env={"BC_SKIP_MAPPING": "TRUE"},
    )
    reports = json.loads(result.stdout)
    report = reports[0] if isinstance(reports, list) else reports
    summary = report["summary"]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
        for c in report["results"]["failed_checks"]
    ]
    assert failed == [] and summary["parsing_errors"] == 0, "\n".join(failed)
    assert summary["passed"] > 250, f"checkov evaluated too little: {summary}"

    skips = [m for path in INFRA.rglob("*.tf") for m in SKIP_COMMENT.finditer(path.read_text(encoding="utf-8"))]
    unexplained = [m.group(0) for m in skips if len(m.group("rest").lstrip(": ").strip()) < 30]
    assert unexplained == [], f"inline checkov skips need a written reason: {unexplained}"
    skipped_ids = {c["check_id"] for c in report["results"]["skipped_checks"]}
    assert skipped_ids == {m.group("id") for m in skips}, "a skip comment suppresses nothing any more: remove it"
