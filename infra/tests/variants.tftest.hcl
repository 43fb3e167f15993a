# `tofu test` / `terraform test` with a mocked AWS provider: the conditional parts of the
# configuration planned under different variables. Run by tests/infra/test_provider_moto.py.

mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"] }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_secretsmanager_random_password" {
    defaults = { random_password = "0123456789abcdefghijklmnopqrstuvwxyz" }
  }
  # The provider validates ARN-typed arguments even in plans: mocked ARNs must look like ARNs.
  mock_resource "aws_msk_cluster" {
    defaults = { arn = "arn:aws:kafka:us-east-1:123456789012:cluster/talent-pulse/0000-1111" }
  }
  mock_resource "aws_msk_configuration" {
    defaults = { arn = "arn:aws:kafka:us-east-1:123456789012:configuration/talent-pulse/0000" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:mocked" }
  }
  mock_resource "aws_lb" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/mocked/0000" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/mocked/0000" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:us-east-1:123456789012:function:talent-pulse-producer" }
  }
}

variables {
  dashboard_allowed_cidrs = ["203.0.113.0/24"]
  dashboard_image_tag     = "test"
}

run "defaults_are_multi_az_behind_nat_on_plain_http" {
  command = plan

  assert {
    condition     = length(aws_subnet.private) == 3 && length(distinct(aws_subnet.private[*].availability_zone)) == 3
    error_message = "three private subnets in three zones by default"
  }
  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_vpc_endpoint.interface) == 0
    error_message = "one NAT gateway and no interface endpoints by default"
  }
  assert {
    condition     = aws_elasticache_replication_group.serving.multi_az_enabled && aws_elasticache_replication_group.serving.num_cache_clusters == 2
    error_message = "Redis has a replica in another zone by default"
  }
  assert {
    condition     = length(aws_lb_listener.https) == 0 && aws_lb_listener.http.default_action[0].type == "forward"
    error_message = "without a certificate, HTTP forwards to the dashboard"
  }
  assert {
    condition     = keys(aws_vpc_security_group_ingress_rule.alb_from_allowed) == ["203.0.113.0/24:80"]
    error_message = "only the allow-listed CIDR reaches port 80"
  }
  assert {
    condition     = aws_msk_cluster.this.client_authentication[0].sasl[0].iam && !aws_msk_cluster.this.client_authentication[0].unauthenticated
    error_message = "MSK accepts IAM-authenticated clients only"
  }
  assert {
    condition     = aws_emrserverless_application.stream.release_label == "emr-spark-8.0.0"
    error_message = "EMR Serverless runs emr-spark-8.0.0 (Spark 4.0.2)"
  }
}

run "certificate_and_cognito_put_sign_in_before_the_dashboard" {
  command = plan

  variables {
    dashboard_allowed_cidrs = ["203.0.113.0/24", "198.51.100.7/32"]
    certificate_arn         = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    cognito = {
      user_pool_arn       = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_EXAMPLE"
      user_pool_client_id = "client"
      user_pool_domain    = "talent-pulse-auth"
    }
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect"
    error_message = "with a certificate, HTTP redirects to HTTPS"
  }
  assert {
    condition     = [for action in aws_lb_listener.https[0].default_action : action.type] == ["authenticate-cognito", "forward"]
    error_message = "HTTPS authenticates with Cognito, then forwards"
  }
  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.alb_from_allowed) == 4
    error_message = "each allow-listed CIDR reaches ports 80 and 443"
  }
}

run "endpoints_instead_of_nat" {
  command = plan

  variables {
    enable_nat_gateway  = false
    interface_endpoints = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"]
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_route.private_nat) == 0
    error_message = "no NAT gateway when disabled"
  }
  assert {
    condition     = length(aws_vpc_endpoint.interface) == 5
    error_message = "one interface endpoint per listed service"
  }
}

run "single_node_redis_has_no_failover" {
  command = plan

  variables {
    redis_replicas   = 0
    az_count         = 2
    msk_broker_count = 2
  }

  assert {
    condition     = !aws_elasticache_replication_group.serving.multi_az_enabled && aws_elasticache_replication_group.serving.num_cache_clusters == 1
    error_message = "a replica-less group cannot fail over"
  }
  assert {
    condition     = length(aws_subnet.private) == 2
    error_message = "az_count sets the private subnets"
  }
}

run "brokers_must_spread_evenly_over_the_zones" {
  command = plan

  variables {
    msk_broker_count = 4
  }

  expect_failures = [aws_msk_cluster.this]
}

run "the_dashboard_is_never_open_without_an_allow_list" {
  command = plan

  variables {
    dashboard_allowed_cidrs = []
  }

  expect_failures = [var.dashboard_allowed_cidrs]
}

run "plans_stop_when_artifacts_are_missing" {
  command = plan

  variables {
    artifacts_dir = "/nonexistent/build"
  }

  expect_failures = [terraform_data.artifacts_built]
}
