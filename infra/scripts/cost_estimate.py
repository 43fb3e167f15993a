"""Monthly cost of a deployment, per component, from the Terraform variables.

    python3 infra/scripts/cost_estimate.py [TFVARS ...]

Starts from the defaults in infra/variables.tf, applies each tfvars file in order, and prints a
Markdown table: what runs, the formula, and dollars per month (730 hours). Prices are us-east-1
on-demand list prices (November 2026); usage-based charges (data, queries, log volume) are
named but not added. docs/deploy.md shows this script's output (tests/infra checks it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import hcl2

INFRA = Path(__file__).resolve().parents[1]
HOURS = 730

MSK_BROKER_HOUR = {"kafka.t3.small": 0.0456, "kafka.m7g.large": 0.204, "kafka.m5.large": 0.21}
MSK_STORAGE_GB_MONTH = 0.10
EMR_VCPU_HOUR = 0.052624
EMR_GB_HOUR = 0.0057785
EMR_DISK_GB_HOUR = 0.000111  # beyond the 20 GB each worker gets free
# Redis OSS node prices; Valkey nodes cost 20 % less.
CACHE_NODE_HOUR = {
    "cache.t4g.micro": 0.016,
    "cache.t4g.small": 0.032,
    "cache.t4g.medium": 0.065,
    "cache.m7g.large": 0.158,
}
VALKEY_DISCOUNT = 0.8
NAT_HOUR = 0.045
ENDPOINT_AZ_HOUR = 0.01
ALB_HOUR = 0.0225
FARGATE_VCPU_HOUR = 0.04048
FARGATE_GB_HOUR = 0.004445
WAF_ACL_MONTH, WAF_RULE_MONTH, WAF_RULES = 5.0, 1.0, 4
LAMBDA_GB_SECOND, LAMBDA_REQUEST = 0.0000166667, 0.0000002
LAMBDA_SECONDS_PER_INVOCATION = 3  # an assumption for 500 postings to MSK, not a measurement
KMS_KEY_MONTH, SECRET_MONTH, ALARM_MONTH, METRIC_MONTH = 1.0, 0.40, 0.10, 0.30
METRICS_PER_DEPLOYMENT = 13  # Batches + ~6 per-batch metrics for each of 2 queries
PUT_METRIC_CALL = 0.00001
METRICS_FLUSH_SECONDS = 30


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    return value


def variables(tfvars: list[Path]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for path in sorted(INFRA.glob("*.tf")):
        for block in hcl2.loads(path.read_text("utf-8")).get("variable", []):
            for name, spec in block.items():
                if "default" in spec:
                    values[_unquote(name)] = _unquote(spec["default"])
    for path in tfvars:
        assigned = hcl2.loads(path.read_text("utf-8"))
        values.update({k: _unquote(v) for k, v in assigned.items() if not k.startswith("__")})
    return values


def _price(table: dict[str, float], key: str, what: str) -> float:
    if key not in table:
        raise SystemExit(f"no price for {what} {key!r}: add it to {Path(__file__).name}")
    return table[key]


def rows(v: dict[str, Any]) -> list[tuple[str, str, str, float | None]]:
    """(component, what runs, formula, $/month or None for usage-only)."""
    out = []
    brokers, volume, broker = v["msk_broker_count"], v["msk_volume_size_gb"], v["msk_instance_type"]
    broker_hour = _price(MSK_BROKER_HOUR, broker, "MSK broker type")
    out.append(
        (
            "MSK",
            f"{brokers} × {broker}, {volume} GB each",
            f"{brokers} × (${broker_hour}/h × 730 + {volume} GB × ${MSK_STORAGE_GB_MONTH})",
            brokers * (broker_hour * HOURS + volume * MSK_STORAGE_GB_MONTH),
        )
    )

    w, ex = v["emr_worker"], v["emr_executors"]
    workers = 1 + ex["initial"]
    worker_hour = (
        w["vcpu"] * EMR_VCPU_HOUR + w["memory_gb"] * EMR_GB_HOUR + max(0, w["disk_gb"] - 20) * EMR_DISK_GB_HOUR
    )
    warm = "pre-initialised" if v["emr_prewarm"] else "on demand"
    out.append(
        (
            "EMR Serverless, stream running 24/7",
            f"1 driver + {ex['initial']} executor{'s' if ex['initial'] > 1 else ''} ({warm}), "
            f"{w['vcpu']} vCPU / {w['memory_gb']} GB / {w['disk_gb']} GB; "
            f"up to {ex['max']} executors under backlog (+${worker_hour * HOURS:.0f} each)",
            f"{workers} × ({w['vcpu']} × ${EMR_VCPU_HOUR} + {w['memory_gb']} × ${EMR_GB_HOUR}) × 730",
            workers * worker_hour * HOURS,
        )
    )

    nodes, node = 1 + v["redis_replicas"], v["redis_node_type"]
    engine_factor = VALKEY_DISCOUNT if v["redis_engine"] == "valkey" else 1
    node_hour = _price(CACHE_NODE_HOUR, node, "cache node type") * engine_factor
    out.append(
        (
            "ElastiCache",
            f"{nodes} × {node} {v['redis_engine']}",
            f"{nodes} × ${node_hour:.4f}/h × 730",
            nodes * node_hour * HOURS,
        )
    )

    if v["enable_nat_gateway"]:
        out.append(("NAT gateway", "one", f"${NAT_HOUR}/h × 730 (+ $0.045/GB processed)", NAT_HOUR * HOURS))
    endpoints = len(v["interface_endpoints"])
    if endpoints:
        out.append(
            (
                "Interface endpoints",
                f"{endpoints} services × {v['az_count']} AZs",
                f"{endpoints} × {v['az_count']} × ${ENDPOINT_AZ_HOUR}/h × 730 (+ $0.01/GB)",
                endpoints * v["az_count"] * ENDPOINT_AZ_HOUR * HOURS,
            )
        )

    out.append(("ALB", "one", f"${ALB_HOUR}/h × 730 (+ LCUs: ~$1-6 at light traffic)", ALB_HOUR * HOURS))
    tasks, cpu, memory = v["dashboard_desired_count"], v["dashboard_cpu"] / 1024, v["dashboard_memory"] / 1024
    out.append(
        (
            "ECS Fargate",
            f"{tasks} task × {cpu:g} vCPU / {memory:g} GB",
            f"{tasks} × ({cpu:g} × ${FARGATE_VCPU_HOUR} + {memory:g} × ${FARGATE_GB_HOUR}) × 730",
            tasks * (cpu * FARGATE_VCPU_HOUR + memory * FARGATE_GB_HOUR) * HOURS,
        )
    )
    if v["waf_enabled"]:
        out.append(
            (
                "WAF",
                f"1 web ACL, {WAF_RULES} managed rule groups",
                f"${WAF_ACL_MONTH:g} + {WAF_RULES} × ${WAF_RULE_MONTH:g} (+ $0.60 per million requests)",
                WAF_ACL_MONTH + WAF_RULES * WAF_RULE_MONTH,
            )
        )

    amount, unit = v["producer_schedule_rate"][len("rate(") : -1].split()
    minutes = int(amount) * {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}[unit]
    invocations = HOURS * 60 / minutes
    gb_seconds = invocations * v["lambda_memory_mb"] / 1024 * LAMBDA_SECONDS_PER_INVOCATION
    out.append(
        (
            "Lambda + Scheduler",
            f"{invocations:,.0f} invocations × {v['lambda_memory_mb']} MB × ~{LAMBDA_SECONDS_PER_INVOCATION} s",
            f"{gb_seconds:,.0f} GB-s × ${LAMBDA_GB_SECOND:.7f} + $0.20 per million requests (before the free tier)",
            gb_seconds * LAMBDA_GB_SECOND + invocations * LAMBDA_REQUEST,
        )
    )

    puts = HOURS * 3600 / METRICS_FLUSH_SECONDS
    out.append(
        (
            "KMS, Secrets Manager, CloudWatch",
            f"1 key, 2 secrets, 1 alarm, ~{METRICS_PER_DEPLOYMENT} custom metrics",
            f"${KMS_KEY_MONTH:g} + 2 × ${SECRET_MONTH} + ${ALARM_MONTH} "
            f"+ {METRICS_PER_DEPLOYMENT} × ${METRIC_MONTH} + {puts:,.0f} PutMetricData × $0.01/1000",
            KMS_KEY_MONTH
            + 2 * SECRET_MONTH
            + ALARM_MONTH
            + METRICS_PER_DEPLOYMENT * METRIC_MONTH
            + puts * PUT_METRIC_CALL,
        )
    )
    out.append(
        (
            "S3, Glue, Athena, logs",
            "lake and checkpoints; queries; log volume",
            "$0.023/GB-month; $5/TB scanned (cut off per query); $0.50/GB logs ingested",
            None,
        )
    )
    return out


def table(v: dict[str, Any]) -> str:
    lines = ["| component | what runs | formula | $/month |", "|---|---|---|---:|"]
    total = 0.0
    for component, what, formula, dollars in rows(v):
        total += dollars or 0.0
        lines.append(f"| {component} | {what} | {formula} | {'usage' if dollars is None else f'{dollars:,.2f}'} |")
    lines.append(f"| **total** | | before usage | **{total:,.2f}** |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(variables([Path(p) for p in sys.argv[1:]])))
