"""Helpers of the offline Terraform checks: tool lookup, HCL loading, schema checking."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
import pytest

from talent_pulse.settings import Settings

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
GAZETTEER = REPO / "talent_pulse" / "data" / "locations.json"
BUILD_TOOLS = "infra/checks/build_tools.sh"
# Meta-arguments Terraform itself handles in every resource/data block.
META_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}
REGION = "us-east-1"
PROVIDER_MIRROR = Path(os.environ.get("PULSE_TF_PLUGIN_DIR", "/opt/tf-plugins"))
# Our own CLI config: the environment may point TF_CLI_CONFIG_FILE at a file that does not exist.
TF_ENV = {
    "TF_CLI_CONFIG_FILE": str(INFRA / "checks" / "offline.tfrc"),
    "TF_IN_AUTOMATION": "1",
    "CHECKPOINT_DISABLE": "1",
}


def tools_dir() -> Path:
    return Path(Settings.from_env().cache_dir) / "bin"


def require_tool(name: str) -> Path:
    """The path of a tool built by build_tools.sh; fails the test (never skips) when absent."""
    path = tools_dir() / name
    if not path.exists():
        pytest.fail(
            f"{name} is missing from {tools_dir()}: run {BUILD_TOOLS} "
            "(builds tofu and tflint from Go module source, installs checkov, extracts the AWS provider schema)",
            pytrace=False,
        )
    return path


def run(cmd: list[str | Path], cwd: Path = REPO, env: dict[str, str] | None = None, timeout: int = 600):
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env={**os.environ, **TF_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def require_gazetteer() -> Path:
    if not GAZETTEER.exists():
        pytest.fail(
            f"{GAZETTEER.relative_to(REPO)} (the gazetteer) is missing: Terraform builds the location enum from it",
            pytrace=False,
        )
    return GAZETTEER


# --- HCL ----------------------------------------------------------------------------------


def unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@dataclass(frozen=True)
class Block:
    """A resource or data block: kind ("resource"/"data"), type, name, body, file."""

    kind: str
    type: str
    name: str
    body: dict[str, Any]
    file: str

    @property
    def address(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


def tf_files(root: Path = INFRA) -> list[Path]:
    return sorted(p for p in root.rglob("*.tf") if ".terraform" not in p.parts)


def load_hcl(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return hcl2.load(fh)


def hcl_loads(text: str) -> dict[str, Any]:
    return hcl2.loads(text)


def blocks_of(parsed: dict[str, Any], file: str) -> Iterator[Block]:
    for kind in ("resource", "data"):
        for entry in parsed.get(kind, []):
            for type_, named in entry.items():
                for name, body in named.items():
                    yield Block(kind, unquote(type_), unquote(name), body, file)


def all_blocks(root: Path = INFRA) -> list[Block]:
    return [block for path in tf_files(root) for block in blocks_of(load_hcl(path), str(path.relative_to(root)))]


def locals_of(root: Path = INFRA) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in tf_files(root):
        if path.parent != root:
            continue
        for entry in load_hcl(path).get("locals", []):
            merged.update({k: v for k, v in entry.items() if k != "__is_block__"})
    return merged


def variables_of(root: Path = INFRA) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for path in tf_files(root):
        if path.parent != root:
            continue
        for entry in load_hcl(path).get("variable", []):
            merged.update({unquote(k): v for k, v in entry.items()})
    return merged


def is_block_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and v.get("__is_block__") for v in value)


# --- provider schema check -----------------------------------------------------------------


def schema_violations(block: Block, provider_schema: dict[str, Any]) -> list[str]:
    """Unknown arguments/blocks, blocks used as arguments and missing required ones."""
    if not block.type.startswith("aws_"):
        return []
    section = provider_schema["resource" if block.kind == "resource" else "data"]
    if block.type not in section:
        return [
            f"{block.file}: {block.address}: unknown {block.kind} type "
            f"for hashicorp/aws {provider_schema['provider_version']}"
        ]
    return _body_violations(block.body, section[block.type], f"{block.file}: {block.address}", top_level=True)


def _body_violations(body: dict[str, Any], schema: dict[str, Any], where: str, top_level: bool = False) -> list[str]:
    problems: list[str] = []
    present: set[str] = set()
    for key, value in body.items():
        if key.startswith("__") or (top_level and key in META_ARGUMENTS):
            continue
        if key == "dynamic":
            for dynamic in value:
                for label, spec in dynamic.items():
                    if label.startswith("__"):
                        continue
                    name = unquote(label)
                    present.add(name)
                    problems += _block_violations(name, spec.get("content", []), schema, where)
            continue
        present.add(key)
        if key in schema["blocks"]:
            if not is_block_list(value):
                problems.append(f"{where}: `{key}` is a block, not an argument")
            else:
                problems += _block_violations(key, value, schema, where)
        elif key in schema["arguments"]:
            if is_block_list(value):
                problems.append(f"{where}: `{key}` is an argument, not a block (write `{key} = ...`)")
        else:
            problems.append(f"{where}: unknown argument or block `{key}`")
    for name, required in schema["arguments"].items():
        if required and name not in present:
            problems.append(f"{where}: missing required argument `{name}`")
    for name, spec in schema["blocks"].items():
        if spec["required"] and name not in present:
            problems.append(f"{where}: missing required block `{name}`")
    return problems


def _block_violations(name: str, bodies: list[dict[str, Any]], schema: dict[str, Any], where: str) -> list[str]:
    if name not in schema["blocks"]:
        return [f"{where}: unknown block `{name}`"]
    nested = schema["blocks"][name]["schema"]
    if nested is None:  # a block the schema source does not describe (see extract_provider_schema.py)
        return []
    return [problem for body in bodies for problem in _body_violations(body, nested, f"{where}.{name}")]


def copy_for_terraform(destination: Path) -> Path:
    """A copy of the repository parts Terraform reads (infra + data files + job entry point)."""
    for relative in ("infra", "talent_pulse/data", "glue_or_emr_jobs"):
        source = REPO / relative
        if source.exists():
            shutil.copytree(source, destination / relative, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    return destination / "infra"


# Actions AWS does not support resource-level permissions for: the only ones allowed on "*".
UNSCOPABLE_ACTIONS = {
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "ecr:GetAuthorizationToken",
    "cloudwatch:PutMetricData",  # only with a cloudwatch:namespace condition (test_contracts checks it)
}
