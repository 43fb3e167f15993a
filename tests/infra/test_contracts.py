"""Cross-checks between the Python code and the Terraform configuration.

The Glue table derivation (infra/modules/lake_tables) is evaluated for real by OpenTofu;
names, ports and IAM policies are read from the parsed HCL.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest
from infra_support import (
    INFRA,
    REPO,
    UNSCOPABLE_ACTIONS,
    all_blocks,
    locals_of,
    require_tool,
    run,
    tf_files,
    unquote,
    variables_of,
)

from talent_pulse.settings import Settings
from talent_pulse.tables import load_tables

TEST_LAKE_URI = "s3://contract-check-bucket/lake"
MSK_IAM_PORT = 9098  # MSK's port for IAM-authenticated clients over TLS


@pytest.fixture(scope="module")
def lake_tables(tmp_path_factory) -> dict:
    """Outputs of infra/modules/lake_tables, evaluated by `tofu apply` (no provider needed)."""
    tofu = require_tool("tofu")
    root = tmp_path_factory.mktemp("lake_tables")
    (root / "main.tf").write_text(
        f"""
module "lake" {{
  source      = "{INFRA / "modules" / "lake_tables"}"
  tables_file = "{REPO / "talent_pulse" / "data" / "tables.json"}"
  lake_uri    = "{TEST_LAKE_URI}"
  namespace   = "{Settings().glue_database}"
}}
output "tables" {{ value = module.lake.tables }}
output "database_location" {{ value = module.lake.database_location }}
""",
        encoding="utf-8",
    )
    for cmd in (["init", "-input=false", "-no-color"], ["apply", "-input=false", "-no-color", "-auto-approve"]):
        result = run([tofu, *cmd], cwd=root)
        assert result.returncode == 0, result.stdout + result.stderr
    outputs = json.loads(run([tofu, "output", "-json"], cwd=root).stdout)
    return {name: output["value"] for name, output in outputs.items()}


def test_iceberg_tables_have_the_jobs_columns_and_partitions(lake_tables):
    tables = load_tables()
    assert set(lake_tables["tables"]) == set(tables)
    athena = {"identity": "{}", "day": "day({})"}
    for name, table in tables.items():
        derived = lake_tables["tables"][name]
        assert [(c["name"], c["type"]) for c in derived["columns"]] == [(c.name, c.type) for c in table.columns]
        assert derived["partitioning"] == [athena[p.transform].format(p.column) for p in table.partitioning]


def test_tables_live_where_the_jobs_catalog_puts_them(lake_tables):
    """Iceberg's Glue catalog: <database location>/<table>; the local JDBC catalog: <warehouse>/<namespace>/<table>."""
    namespace = Settings().glue_database
    assert lake_tables["database_location"] == f"{TEST_LAKE_URI}/{namespace}"
    for name, derived in lake_tables["tables"].items():
        assert derived["location"] == f"{TEST_LAKE_URI}/{namespace}/{name}"
        assert derived["prefix"] == f"{namespace}/{name}"


# --- names, ports and topics from the settings module --------------------------------------

ENV_TOKEN = re.compile(r"\b((?:PULSE|AWS)_[A-Z0-9_]+)\b")


def test_every_env_var_terraform_sets_is_a_settings_name():
    known = set(Settings.env_names())
    used = {token for path in tf_files() for token in ENV_TOKEN.findall(path.read_text("utf-8"))}
    assert {t for t in used if t.startswith("PULSE_")} - known == set()
    assert "PULSE_REDIS_PASSWORD" in used, "the dashboard must get the Redis token injected from Secrets Manager"


def _env_keys(expression_locals: dict, name: str) -> set[str]:
    text = json.dumps(expression_locals[name])
    return set(ENV_TOKEN.findall(text))


def test_each_runtime_gets_the_settings_it_needs():
    local = locals_of()
    common = _env_keys(local, "common_env")
    stream_job = common | _env_keys(local, "stream_job_env")
    dashboard = common | _env_keys(local, "dashboard_env")
    lambda_env = {t for t in ENV_TOKEN.findall((INFRA / "lambda.tf").read_text("utf-8"))}
    assert {"PULSE_KAFKA_BOOTSTRAP", "PULSE_KAFKA_AUTH", "PULSE_POSTINGS_TOPIC"} <= lambda_env
    assert {
        "PULSE_KAFKA_BOOTSTRAP",
        "PULSE_KAFKA_AUTH",
        "PULSE_POSTINGS_TOPIC",
        "PULSE_REDIS_URL",
        "PULSE_REDIS_PASSWORD_SECRET_ARN",
        "PULSE_LAKE_URI",
        "PULSE_CHECKPOINT_URI",
        "PULSE_SERVING_NAMESPACE",
    } <= stream_job
    assert {"PULSE_REDIS_URL", "PULSE_HISTORY_BACKEND", "PULSE_GLUE_DATABASE", "PULSE_ATHENA_WORKGROUP"} <= dashboard
    assert "PULSE_REDIS_PASSWORD" not in stream_job, "the job reads the token by secret ARN, never as plain env"


def test_topic_namespace_and_catalog_names_default_to_the_settings():
    settings = Settings()
    variables = variables_of()
    assert unquote(variables["postings_topic"]["default"]) == settings.postings_topic
    assert unquote(variables["serving_namespace"]["default"]) == settings.serving_namespace
    name = unquote(variables["name"]["default"])
    assert name.replace("-", "_") == settings.glue_database  # aws_glue_catalog_database: replace(var.name, "-", "_")
    assert name == settings.athena_workgroup  # aws_athena_workgroup: var.name
    assert Settings().checkpoint_uri.endswith("/checkpoints/streaming-job")
    assert unquote(locals_of()["checkpoint_uri"]).endswith("/checkpoints/streaming-job")


def test_ports_match_the_settings_and_msk_iam():
    local = locals_of()
    settings = Settings()
    assert local["kafka_iam_port"] == MSK_IAM_PORT
    assert "9098" in Settings.__dataclass_fields__["kafka_bootstrap"].metadata["help"]
    assert local["redis_port"] == urlparse(settings.redis_url).port
    assert local["dashboard_port"] == settings.dashboard_port
    assert '"rediss://${user.user_name}@' in json.dumps(local["redis_urls"]).replace('\\"', '"'), (
        "ElastiCache has TLS in transit and RBAC: use rediss://<user>@"
    )


FLOW = re.compile(r'\{ source = "(\w+)", target = "(\w+)", port = local\.(\w+)')


def test_security_group_flows_are_exactly_the_designed_ones():
    text = (INFRA / "security_groups.tf").read_text("utf-8")
    assert set(FLOW.findall(text)) == {
        ("producer", "msk", "kafka_iam_port"),
        ("emr", "msk", "kafka_iam_port"),
        ("emr", "redis", "redis_port"),
        ("dashboard", "redis", "redis_port"),
        ("alb", "dashboard", "dashboard_port"),
    }
    rules = {b.address: b.body for b in all_blocks() if b.type == "aws_vpc_security_group_ingress_rule"}
    open_to_world = [a for a, body in rules.items() if "0.0.0.0/0" in json.dumps(body)]
    assert open_to_world == []
    allowed = variables_of()["dashboard_allowed_cidrs"]
    assert "default" not in allowed, "the dashboard allow-list must not have a default"


# --- IAM ----------------------------------------------------------------------------------


def _statements():
    for block in all_blocks():
        if block.type == "aws_iam_policy_document":
            for statement in block.body.get("statement", []):
                yield block, statement


def test_every_iam_statement_is_scoped():
    problems = []
    statements = list(_statements())
    assert len(statements) > 25
    for block, statement in statements:
        actions = [unquote(a) for a in statement.get("actions", [])]
        resources = [unquote(r) for r in statement.get("resources", [])]
        effect = unquote(statement.get("effect", "Allow"))
        where = f"{block.address} {statement.get('sid', '')}"
        if any(a == "*" or (a.endswith(":*") and block.name != "kms_platform") for a in actions) and effect == "Allow":
            problems.append(f"{where}: wildcard action {actions}")
        if "*" in resources and effect == "Allow" and block.name != "kms_platform":
            unscopable = set(actions) - UNSCOPABLE_ACTIONS
            if unscopable:
                problems.append(f"{where}: {sorted(unscopable)} on resource '*'")
    assert problems == [], "\n".join(problems)


def test_metric_publishing_is_limited_to_the_jobs_namespace():
    statements = [
        s for _, s in _statements() if "cloudwatch:PutMetricData" in [unquote(a) for a in s.get("actions", [])]
    ]
    assert statements, "the job needs cloudwatch:PutMetricData for its per-batch metrics"
    for statement in statements:
        condition = statement["condition"][0]
        assert unquote(condition["variable"]) == "cloudwatch:namespace"
        assert [unquote(v) for v in condition["values"]] == ["${local.metrics_namespace}"]


def test_the_job_and_the_dashboard_get_different_redis_users():
    local = locals_of()

    def text(name):
        return json.dumps(local[name]).replace('\\"', '"')

    assert 'redis_urls["writer"]' in text("stream_job_env") and 'redis_auth["writer"]' in text("stream_job_env")
    assert 'redis_urls["reader"]' in text("dashboard_env")
    users = local["redis_users"]
    assert "+@write" not in unquote(users["reader"]["access_string"])
    assert "+@write" in unquote(users["writer"]["access_string"])


def test_the_key_policy_wildcard_is_only_for_the_account_root():
    kms = next(b for b in all_blocks() if b.address == "data.aws_iam_policy_document.kms_platform")
    for statement in kms.body["statement"]:
        if "kms:*" in statement["actions"]:
            principals = json.dumps(statement["principals"])
            assert ":root" in principals and "Service" not in principals


def test_one_role_per_component():
    roles = {b.name for b in all_blocks() if b.type == "aws_iam_role"}
    assert {"producer", "scheduler", "emr_job", "dashboard_execution", "dashboard_task"} <= roles
    attachments = [b for b in all_blocks() if b.type in ("aws_iam_role_policy_attachment", "aws_iam_policy_attachment")]
    assert attachments == [], "use scoped inline policies, not managed policy attachments"
