# Least-privilege traffic between the components:
#   producer (Lambda) -> MSK 9098        EMR -> MSK 9098, Redis 6379
#   ALB -> dashboard 8501               dashboard (ECS) -> Redis 6379
#   allow-listed CIDRs -> ALB 80/443    Lambda, EMR, ECS -> AWS APIs on 443
#   ALB -> Cognito on 443 (only with sign-in)
# Rules are separate resources (aws_vpc_security_group_*_rule), one per flow.

locals {
  security_groups = {
    producer  = "Lambda producer: publishes to MSK"
    msk       = "MSK brokers: IAM-authenticated clients on 9098"
    redis     = "ElastiCache serving layer: TLS clients on 6379"
    alb       = "Dashboard load balancer: allow-listed clients only"
    dashboard = "Dashboard tasks: traffic from the load balancer only"
    endpoints = "Interface VPC endpoints: HTTPS from the private subnets"
  }
}

resource "aws_security_group" "this" {
  for_each = local.security_groups

  name_prefix = "${var.name}-${each.key}-"
  description = each.value
  vpc_id      = aws_vpc.this.id

  lifecycle {
    create_before_destroy = true
  }
}

# Its own resource, so that the skip below concerns this group only.
resource "aws_security_group" "emr" {
  # checkov:skip=CKV2_AWS_5: attached to the EMR Serverless application's network_configuration, which checkov does not follow.
  name_prefix = "${var.name}-emr-"
  description = "EMR Serverless streaming job: reads MSK, writes Redis and S3"
  vpc_id      = aws_vpc.this.id

  lifecycle {
    create_before_destroy = true
  }
}

moved {
  from = aws_security_group.this["emr"]
  to   = aws_security_group.emr
}

locals {
  security_group_ids = merge({ for name, group in aws_security_group.this : name => group.id }, { emr = aws_security_group.emr.id })
}

locals {
  # Every allowed flow between two groups, opened on both sides (egress at the source,
  # ingress at the target) from this one list.
  group_flows = {
    for flow in [
      { source = "producer", target = "msk", port = local.kafka_iam_port, traffic = "Kafka IAM/TLS" },
      { source = "emr", target = "msk", port = local.kafka_iam_port, traffic = "Kafka IAM/TLS" },
      { source = "emr", target = "redis", port = local.redis_port, traffic = "Redis TLS" },
      { source = "dashboard", target = "redis", port = local.redis_port, traffic = "Redis TLS" },
      { source = "alb", target = "dashboard", port = local.dashboard_port, traffic = "Streamlit HTTP" },
    ] : "${flow.source}-to-${flow.target}" => flow
  }
  # Components that call AWS APIs (STS, Secrets Manager, Logs, ECR, EMR, S3) over HTTPS.
  aws_api_clients = ["producer", "emr", "dashboard"]

  alb_listener_ports = var.certificate_arn == "" ? [80] : [80, 443]
  alb_ingress = {
    for pair in setproduct(var.dashboard_allowed_cidrs, local.alb_listener_ports) :
    "${pair[0]}:${pair[1]}" => { cidr = pair[0], port = pair[1] }
  }
}

resource "aws_vpc_security_group_egress_rule" "flows" {
  for_each = local.group_flows

  security_group_id            = local.security_group_ids[each.value.source]
  description                  = "${each.value.traffic} to the ${each.value.target}"
  referenced_security_group_id = local.security_group_ids[each.value.target]
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_ingress_rule" "flows" {
  for_each = local.group_flows

  security_group_id            = local.security_group_ids[each.value.target]
  description                  = "${each.value.traffic} from the ${each.value.source}"
  referenced_security_group_id = local.security_group_ids[each.value.source]
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "clients_to_aws_apis" {
  for_each = toset(local.aws_api_clients)

  security_group_id = local.security_group_ids[each.key]
  description       = "HTTPS to AWS APIs (through the NAT gateway or VPC endpoints)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_allowed" {
  for_each = local.alb_ingress

  security_group_id = aws_security_group.this["alb"].id
  description       = "Dashboard clients (allow-list)"
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
}

# Cognito sign-in: the load balancer itself calls the user pool's token and user-info
# endpoints, which are public HTTPS endpoints.
resource "aws_vpc_security_group_egress_rule" "alb_to_cognito" {
  count = local.cognito_enabled ? 1 : 0

  security_group_id = aws_security_group.this["alb"].id
  description       = "HTTPS to the Cognito user pool endpoints (sign-in)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_vpc" {
  security_group_id = aws_security_group.this["endpoints"].id
  description       = "HTTPS from the VPC to the interface endpoints"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
