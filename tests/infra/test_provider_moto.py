"""validate, test, plan and apply with a real hashicorp/aws provider binary from a local mirror.

The configuration targets hashicorp/aws ~> 6.66 (its arguments are checked against the 6.66
schema in test_static_checks). A provider binary can only come from a local mirror here; the
one this machine carries is 5.100.0. These tests therefore run on a scratch copy whose
provider requirement is pinned to the mirror's version, and say so. Resource types the
mirror's provider does not know (6.x additions, e.g. aws_msk_topic) are reported by
`validate` as the only allowed errors, then dropped from the copy for plan/apply.

Plan and apply go to a moto server on 127.0.0.1: plan reads the data sources from it, apply
creates what moto emulates (S3, IAM, VPC, KMS, Logs, Secrets, Glue, Athena, ECR, ECS, ELB,
Lambda, Scheduler); MSK configuration, ElastiCache replication groups and EMR Serverless
Spark applications are not emulated and are the only resources allowed to fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest
from infra_support import (
    PROVIDER_MIRROR,
    REGION,
    UNSCOPABLE_ACTIONS,
    copy_for_terraform,
    require_gazetteer,
    require_tool,
    run,
)

from talent_pulse.queries import named_queries
from talent_pulse.settings import Settings

MIRROR_PROVIDER = PROVIDER_MIRROR / "registry.terraform.io" / "hashicorp" / "aws"
NOT_EMULATED_BY_MOTO = {
    "aws_msk_configuration",
    "aws_elasticache_replication_group",
    "aws_emrserverless_application",
    "aws_elasticache_user_group",
}
# The worked example is what users start from: plan with it (only the region follows the emulator).
PLAN_VARS = ["-var-file=terraform.tfvars.example", "-var", f"region={REGION}"]


def _mirror_version() -> str:
    versions = sorted(p.name for p in MIRROR_PROVIDER.iterdir()) if MIRROR_PROVIDER.is_dir() else []
    if not versions:
        pytest.skip(
            f"no local hashicorp/aws provider mirror at {MIRROR_PROVIDER} (set PULSE_TF_PLUGIN_DIR): "
            "validate/plan/apply need a provider binary, which no registry can supply offline"
        )
    return versions[-1]


def _top_level_blocks_of_type(text: str, resource_type: str) -> list[tuple[int, int]]:
    """(start, end) offsets of `resource "<type>" ...` blocks; fmt-clean files close them with a lone `}`."""
    spans = []
    for match in re.finditer(rf'^resource "{re.escape(resource_type)}" "[^"]+" \{{$', text, flags=re.M):
        end = text.index("\n}\n", match.start()) + 3
        spans.append((match.start(), end))
    return spans


@pytest.fixture(scope="module")
def compat(tmp_path_factory):
    """Scratch copy pinned to the mirror's provider: (infra dir, tofu, version, dropped types, validate diags)."""
    version = _mirror_version()
    tofu = require_tool("tofu")
    require_gazetteer()
    scratch = tmp_path_factory.mktemp("compat")
    infra = copy_for_terraform(scratch)
    versions_tf = infra / "versions.tf"
    text = versions_tf.read_text("utf-8")
    text = text.replace('source = "hashicorp/aws"', 'source = "registry.terraform.io/hashicorp/aws"')
    text = re.sub(r'version = "~> 6\.\d+"', f'version = "= {version}"', text)
    versions_tf.write_text(text, "utf-8")
    _fake_artifacts(scratch)

    init = run([tofu, "init", "-input=false", "-no-color", "-plugin-dir", PROVIDER_MIRROR], cwd=infra)
    assert init.returncode == 0, init.stdout + init.stderr
    schema = json.loads(run([tofu, "providers", "schema", "-json"], cwd=infra).stdout)
    known = set(next(iter(schema["provider_schemas"].values()))["resource_schemas"])

    validate = json.loads(run([tofu, "validate", "-json", "-no-color"], cwd=infra).stdout)
    dropped = set()
    for path in infra.glob("*.tf"):
        text = path.read_text("utf-8")
        for resource_type in set(re.findall(r'^resource "(aws_\w+)"', text, flags=re.M)) - known:
            for start, end in reversed(_top_level_blocks_of_type(text, resource_type)):
                text = text[:start] + text[end:]
            dropped.add(resource_type)
        path.write_text(text, "utf-8")
    return {"infra": infra, "tofu": tofu, "version": version, "dropped": dropped, "validate": validate}


def _fake_artifacts(scratch: Path) -> None:
    """Stand-ins for `make artifacts` outputs: plan/apply only hash and upload them."""
    build = scratch / "build"
    build.mkdir(parents=True)
    (build / "talent_pulse.zip").write_bytes(b"zip")
    (build / "lambda-producer.zip").write_bytes(b"zip")
    entry_point = scratch / "glue_or_emr_jobs" / "streaming_job.py"
    if not entry_point.exists():
        entry_point.parent.mkdir(parents=True, exist_ok=True)
        entry_point.write_text("# stand-in: the real entry point is not written yet\n", "utf-8")


def test_validate_reports_only_resource_types_newer_than_the_mirror(compat):
    errors = [d for d in compat["validate"]["diagnostics"] if d["severity"] == "error"]
    unexpected = [d for d in errors if d["summary"] != "Invalid resource type"]
    assert unexpected == [], json.dumps(unexpected, indent=1)
    newer = {re.search(r'"(aws_\w+)"', d["detail"]).group(1) for d in errors}
    assert newer == compat["dropped"], f"hashicorp/aws {compat['version']} lacks {compat['dropped']}"


def test_validate_is_clean_once_newer_types_are_dropped(compat):
    result = json.loads(run([compat["tofu"], "validate", "-json", "-no-color"], cwd=compat["infra"]).stdout)
    assert result["valid"], json.dumps(result["diagnostics"], indent=1)


def test_tofu_test_with_a_mocked_provider(compat):
    """infra/tests/*.tftest.hcl: the conditional parts planned under different variables."""
    result = run([compat["tofu"], "test", "-no-color"], cwd=compat["infra"])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr
    assert re.search(r"Success! [1-9]\d* passed, 0 failed", result.stdout), result.stdout


@pytest.fixture(scope="module")
def moto_plan(compat, moto_env):
    infra = compat["infra"]
    (infra / "moto_override.tf").write_text(
        """
provider "aws" {
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  # moto answers an action it lacks (e.g. CreateUserGroup) with HTTP 500: fail it fast, not after minutes of retries.
  max_retries = 1
}

# moto applies bucket policies without their conditions, so the TLS-only deny would refuse
# the uploads made over its plain HTTP: upload the artifacts before the policy exists. (An
# override may not set depends_on; the empty substring adds the dependency, not a value.)
resource "aws_s3_bucket_policy" "this" {
  policy = join("", [
    data.aws_iam_policy_document.bucket_tls_only[each.key].json,
    substr(join("", concat(values(aws_s3_object.artifacts)[*].id, aws_s3_object.lambda_zip[*].id)), 0, 0),
  ])
}
""",
        "utf-8",
    )
    result = run(
        [compat["tofu"], "plan", "-input=false", "-no-color", "-out=moto.plan", *PLAN_VARS], cwd=infra, env=moto_env
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert "Warning:" not in result.stdout + result.stderr, result.stdout[result.stdout.find("Warning:") :][:2000]
    shown = run([compat["tofu"], "show", "-json", "moto.plan"], cwd=infra, env=moto_env)
    return json.loads(shown.stdout)


def _planned(plan: dict) -> dict[str, dict]:
    resources = {}

    def walk(module):
        for resource in module.get("resources", []):
            resources[resource["address"]] = resource
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan["planned_values"]["root_module"])
    return resources


def test_plan_on_moto_covers_the_platform(moto_plan):
    types = {r["type"] for r in _planned(moto_plan).values()}
    expected = {
        "aws_vpc",
        "aws_subnet",
        "aws_nat_gateway",
        "aws_vpc_endpoint",
        "aws_msk_cluster",
        "aws_emrserverless_application",
        "aws_elasticache_replication_group",
        "aws_s3_bucket",
        "aws_glue_catalog_database",
        "aws_athena_workgroup",
        "aws_athena_named_query",
        "aws_lambda_function",
        "aws_scheduler_schedule",
        "aws_ecs_service",
        "aws_lb",
        "aws_lb_listener",
        "aws_ecr_repository",
        "aws_secretsmanager_secret",
        "aws_kms_key",
        "aws_iam_role",
    }
    assert expected <= types, f"not planned: {expected - types}"


def test_planned_stream_job_uses_settings_names_and_the_lake_layout(moto_plan):
    job = moto_plan["output_changes"]["stream_job"]["after"]  # unknown-until-apply values are null
    assert set(job["environment"]) <= set(Settings.env_names())
    environment = job["environment"]
    assert environment["PULSE_LAKE_CATALOG"] == "glue"
    databases = [r["values"] for r in _planned(moto_plan).values() if r["type"] == "aws_glue_catalog_database"]
    expected_uri = f"{environment['PULSE_LAKE_URI']}/{environment['PULSE_GLUE_DATABASE']}"
    assert [d["location_uri"] for d in databases] == [expected_uri]
    assert environment["PULSE_CHECKPOINT_URI"] == job["checkpoint_uri"]
    assert "jars" not in job, "the jars (EMR's own Iceberg runtime linked in) are in the runtime image"
    assert job["entry_point"].endswith("/streaming_job.py")
    sizes = job["spark_conf"]
    assert sizes["spark.executor.cores"] == "2" and sizes["spark.dynamicAllocation.maxExecutors"] == "4"


def test_plan_without_artifacts_says_how_to_build_them(compat, moto_env, tmp_path):
    result = run(
        [compat["tofu"], "plan", "-input=false", "-no-color", *PLAN_VARS, "-var", f"artifacts_dir={tmp_path}"],
        cwd=compat["infra"],
        env=moto_env,
    )
    assert result.returncode != 0
    message = " ".join((result.stdout + result.stderr).split())
    assert "Build artifacts are missing" in message and "make artifacts" in message


def test_apply_creates_what_moto_emulates(compat, moto_env, moto_plan):
    result = run(
        [compat["tofu"], "apply", "-input=false", "-no-color", "moto.plan"],
        cwd=compat["infra"],
        env=moto_env,
        timeout=900,
    )
    failed = set(re.findall(r"with (aws_\w+)\.", result.stdout + result.stderr))
    assert failed <= NOT_EMULATED_BY_MOTO, (result.stdout + result.stderr)[-6000:]
    created = len(re.findall(r": Creation complete", result.stdout))
    assert created >= 90, f"only {created} resources created"

    session = boto3.Session(
        aws_access_key_id=moto_env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=moto_env["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    clients = {
        name: session.client(name, endpoint_url=moto_env["AWS_ENDPOINT_URL"])
        for name in ("s3", "glue", "iam", "ecr", "athena")
    }
    buckets = [b["Name"] for b in clients["s3"].list_buckets()["Buckets"]]
    data_bucket = next(b for b in buckets if "-data-" in b)
    assert clients["s3"].get_bucket_versioning(Bucket=data_bucket)["Status"] == "Enabled"
    sse = clients["s3"].get_bucket_encryption(Bucket=data_bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    policy = json.loads(clients["s3"].get_bucket_policy(Bucket=data_bucket)["Policy"])
    assert policy["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"] == "false"
    keys = {o["Key"] for o in clients["s3"].list_objects_v2(Bucket=data_bucket, Prefix="artifacts/")["Contents"]}
    assert {
        "artifacts/streaming_job.py",
        "artifacts/lake_job.py",
        "artifacts/talent_pulse.zip",
        "artifacts/lambda-producer.zip",
    } <= keys

    settings = Settings()
    database = clients["glue"].get_database(Name=settings.glue_database)["Database"]
    assert database["LocationUri"] == f"s3://{data_bucket}/lake/{settings.glue_database}"
    # The Iceberg tables are created by the job on its first start, not by Terraform.
    assert clients["glue"].get_tables(DatabaseName=settings.glue_database)["TableList"] == []

    _assert_only_designed_ports_reach_msk_and_redis(session.client("ec2", endpoint_url=moto_env["AWS_ENDPOINT_URL"]))

    repo = clients["ecr"].describe_repositories()["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    query_ids = clients["athena"].list_named_queries(WorkGroup=settings.athena_workgroup)["NamedQueryIds"]
    saved = [clients["athena"].get_named_query(NamedQueryId=i)["NamedQuery"] for i in query_ids]
    assert {q["Name"]: q["QueryString"] for q in saved} == {name: q.sql for name, q in named_queries().items()}
    roles = {r["RoleName"] for r in clients["iam"].list_roles()["Roles"]}
    assert any(r.startswith("talent-pulse-emr-job-") for r in roles)
    _assert_applied_policies_are_scoped(clients["iam"], roles)


def _assert_only_designed_ports_reach_msk_and_redis(ec2) -> None:
    groups = {
        g["GroupName"].split("-")[2]: g
        for g in ec2.describe_security_groups()["SecurityGroups"]
        if g["GroupName"].startswith("talent-pulse-")
    }
    ids = {name: group["GroupId"] for name, group in groups.items()}
    for target, port, sources in (("msk", 9098, {"producer", "emr"}), ("redis", 6379, {"emr", "dashboard"})):
        permissions = groups[target]["IpPermissions"]
        assert {(p["FromPort"], p["ToPort"]) for p in permissions} == {(port, port)}
        allowed = {pair["GroupId"] for p in permissions for pair in p["UserIdGroupPairs"]}
        assert allowed == {ids[source] for source in sources}
        assert all(not p.get("IpRanges") for p in permissions), f"{target} is open to CIDRs"


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _assert_applied_policies_are_scoped(iam, roles: set[str]) -> None:
    """The policies as applied (ARNs resolved): no "*" action, "*" resource only for unscopable actions."""
    checked = 0
    for role in roles:
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            document = json.loads(document) if isinstance(document, str) else document
            for statement in _as_list(document["Statement"]):
                actions, resources = _as_list(statement["Action"]), _as_list(statement["Resource"])
                assert "*" not in actions, f"{role}/{name}"
                if "*" in resources:
                    assert set(actions) <= UNSCOPABLE_ACTIONS, f"{role}/{name}: {actions} on *"
                else:
                    assert all(r.startswith("arn:aws:") for r in resources), f"{role}/{name}: {resources}"
                checked += 1
    # Roles whose policies name the MSK cluster stay unapplied: moto has no MSK configuration.
    assert checked >= 10, f"only {checked} statements applied"
