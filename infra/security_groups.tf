# Least-privilege traffic between the components:
#   producer (Lambda) -> MSK 9098        EMR -> MSK 9098, Redis 6379
#   ALB -> dashboard 8501               dashboard (ECS) -> Redis 6379
#   allow-listed CIDRs -> ALB 80/443    Lambda, EMR, ECS -> AWS APIs on 443
# Rules are separate resources (aws_vpc_security_group_*_rule), one per flow.

locals {
  security_groups = {
    producer  = "Lambda producer: publishes to MSK"
    emr       = "EMR Serverless streaming job: reads MSK, writes Redis and S3"
    msk       = "MSK brokers: IAM-authenticated clients on 9098"
    redis     = "ElastiCache serving layer: TLS clients on 6379"
    alb       = "Dashboard load balancer: allow-listed clients only"
    dashboard = "Dashboard tasks: traffic from the load balancer only"
    endpoints = "Interface VPC endpoints: HTTPS from the private subnets"
  }
}

resource "aws_security_group" "this" {
  # checkov:skip=CKV2_AWS_5: the "emr" group is attached to the EMR Serverless application's network_configuration, which checkov does not follow.
  for_each = local.security_groups

  name_prefix = "${var.name}-${each.key}-"
  description = each.value
  vpc_id      = aws_vpc.this.id

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  kafka_clients = {
    producer = aws_security_group.this["producer"].id
    emr      = aws_security_group.this["emr"].id
  }
  redis_clients = {
    emr       = aws_security_group.this["emr"].id
    dashboard = aws_security_group.this["dashboard"].id
  }
  # Components that call AWS APIs (STS, Secrets Manager, Logs, ECR, EMR) over HTTPS.
  aws_api_clients = {
    producer  = aws_security_group.this["producer"].id
    emr       = aws_security_group.this["emr"].id
    dashboard = aws_security_group.this["dashboard"].id
  }
  alb_listener_ports = var.certificate_arn == "" ? [80] : [80, 443]
  alb_ingress = {
    for pair in setproduct(var.dashboard_allowed_cidrs, local.alb_listener_ports) :
    "${pair[0]}:${pair[1]}" => { cidr = pair[0], port = pair[1] }
  }
}

resource "aws_vpc_security_group_ingress_rule" "msk_from_clients" {
  for_each = local.kafka_clients

  security_group_id            = aws_security_group.this["msk"].id
  description                  = "Kafka IAM/TLS from the ${each.key}"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = local.kafka_iam_port
  to_port                      = local.kafka_iam_port
}

resource "aws_vpc_security_group_egress_rule" "clients_to_msk" {
  for_each = local.kafka_clients

  security_group_id            = each.value
  description                  = "Kafka IAM/TLS to the MSK brokers"
  referenced_security_group_id = aws_security_group.this["msk"].id
  ip_protocol                  = "tcp"
  from_port                    = local.kafka_iam_port
  to_port                      = local.kafka_iam_port
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_clients" {
  for_each = local.redis_clients

  security_group_id            = aws_security_group.this["redis"].id
  description                  = "Redis TLS from the ${each.key}"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = local.redis_port
  to_port                      = local.redis_port
}

resource "aws_vpc_security_group_egress_rule" "clients_to_redis" {
  for_each = local.redis_clients

  security_group_id            = each.value
  description                  = "Redis TLS to the serving layer"
  referenced_security_group_id = aws_security_group.this["redis"].id
  ip_protocol                  = "tcp"
  from_port                    = local.redis_port
  to_port                      = local.redis_port
}

resource "aws_vpc_security_group_egress_rule" "clients_to_aws_apis" {
  for_each = local.aws_api_clients

  security_group_id = each.value
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

resource "aws_vpc_security_group_egress_rule" "alb_to_dashboard" {
  security_group_id            = aws_security_group.this["alb"].id
  description                  = "Forward to the Streamlit tasks"
  referenced_security_group_id = aws_security_group.this["dashboard"].id
  ip_protocol                  = "tcp"
  from_port                    = local.dashboard_port
  to_port                      = local.dashboard_port
}

resource "aws_vpc_security_group_ingress_rule" "dashboard_from_alb" {
  security_group_id            = aws_security_group.this["dashboard"].id
  description                  = "Streamlit from the load balancer"
  referenced_security_group_id = aws_security_group.this["alb"].id
  ip_protocol                  = "tcp"
  from_port                    = local.dashboard_port
  to_port                      = local.dashboard_port
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_vpc" {
  security_group_id = aws_security_group.this["endpoints"].id
  description       = "HTTPS from the VPC to the interface endpoints"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
