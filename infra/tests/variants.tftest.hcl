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
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:talent-pulse-alerts" }
  }
  mock_resource "aws_wafv2_web_acl" {
    defaults = { arn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/talent-pulse-dashboard/0000" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = { repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/talent-pulse/mocked" }
  }
}

variables {
  dashboard_allowed_cidrs = ["203.0.113.0/24"]
  dashboard_image_tag     = "test"
  job_image_tag           = "rt-test"
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
  assert {
    condition = toset([for c in aws_emrserverless_application.stream.initial_capacity : join("/", [
      c.initial_capacity_type, c.initial_capacity_config[0].worker_count, c.initial_capacity_config[0].worker_configuration[0].cpu,
      c.initial_capacity_config[0].worker_configuration[0].memory, c.initial_capacity_config[0].worker_configuration[0].disk,
    ])]) == toset(["Driver/1/2 vCPU/8 GB/20 GB", "Executor/2/2 vCPU/8 GB/20 GB"])
    error_message = "one driver and two executors are pre-initialised at 2 vCPU / 8 GB / 20 GB"
  }
  # Spark asks for cores = 2 and memory + max(384 MB, 10 %) = 7447 + 744 = 8191 MB <= 8 GB: the
  # job's workers are the pre-initialised ones, never extra default-sized ones beside them.
  assert {
    condition = output.stream_job.spark_conf == {
      "spark.driver.cores"                          = "2"
      "spark.driver.memory"                         = "7447m"
      "spark.emr-serverless.driver.disk"            = "20g"
      "spark.executor.cores"                        = "2"
      "spark.executor.memory"                       = "7447m"
      "spark.emr-serverless.executor.disk"          = "20g"
      "spark.dynamicAllocation.enabled"             = "true"
      "spark.dynamicAllocation.minExecutors"        = "2"
      "spark.dynamicAllocation.initialExecutors"    = "2"
      "spark.dynamicAllocation.maxExecutors"        = "4"
      "spark.dynamicAllocation.executorIdleTimeout" = "300s"
    }
    error_message = "the job run's Spark sizes match the pre-initialised workers"
  }
  assert {
    condition     = aws_emrserverless_application.stream.maximum_capacity[0].cpu == "10 vCPU" && aws_emrserverless_application.stream.maximum_capacity[0].memory == "40 GB"
    error_message = "maximum capacity is the driver plus the most executors dynamic allocation may add"
  }
  assert {
    condition     = length(aws_wafv2_web_acl_association.dashboard) == 1 && length(aws_wafv2_web_acl.dashboard[0].rule) == 4
    error_message = "the dashboard has a WAF with the four AWS managed rule groups by default"
  }
  assert {
    condition     = length(aws_vpc_security_group_egress_rule.alb_to_cognito) == 0
    error_message = "without sign-in the load balancer needs no way out"
  }
  assert {
    condition     = length(aws_sns_topic_subscription.alert_email) == 0 && toset(keys(aws_cloudwatch_event_rule.alerts)) == toset(["job-run-ended", "producer-failed"])
    error_message = "the alert rules exist; no e-mail subscription without alert_email"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.stream_stale.evaluation_periods == 10 && aws_cloudwatch_metric_alarm.stream_stale.treat_missing_data == "breaching"
    error_message = "no batch metrics for 10 minutes raises the stale-stream alarm"
  }
  assert {
    condition     = output.stream_job.environment.PULSE_METRICS_NAMESPACE == aws_cloudwatch_metric_alarm.stream_stale.namespace && output.stream_job.environment.PULSE_METRICS_DIMENSIONS == "Deployment=${aws_cloudwatch_metric_alarm.stream_stale.dimensions.Deployment}"
    error_message = "the job publishes its metrics where the freshness alarm looks"
  }
  assert {
    condition = (
      aws_elasticache_user.disabled_default.user_name == "default" && startswith(aws_elasticache_user.disabled_default.access_string, "off ") &&
      length(aws_elasticache_replication_group.serving.user_group_ids) == 1 && aws_elasticache_replication_group.serving.auth_token == null
    )
    error_message = "the serving layer uses RBAC users with the default user switched off"
  }
}

# Values computed by AWS (repository URL, application id, endpoint) are only known after an
# apply; the mocked provider supplies them.
run "wiring_with_mocked_values" {
  command = apply

  assert {
    condition     = aws_emrserverless_application.stream.image_configuration[0].image_uri == "${aws_ecr_repository.this["job_runtime"].repository_url}:rt-test"
    error_message = "the application runs the job's runtime image at job_image_tag"
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.alerts["job-run-ended"].event_pattern).detail.state == ["FAILED", "CANCELLED"]
    error_message = "job runs that end FAILED or CANCELLED are alerted"
  }
  assert {
    condition     = startswith(output.redis_urls.writer, "rediss://talent-pulse-writer@") && startswith(output.redis_urls.reader, "rediss://talent-pulse-reader@")
    error_message = "the job connects as the writer, the dashboard as the reader"
  }
}

run "certificate_and_cognito_put_sign_in_before_the_dashboard" {
  command = plan

  variables {
    # With sign-in even the whole internet may be allowed.
    dashboard_allowed_cidrs = ["203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/0"]
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
    condition     = length(aws_vpc_security_group_ingress_rule.alb_from_allowed) == 6 && contains(keys(aws_vpc_security_group_ingress_rule.alb_from_allowed), "0.0.0.0/0:443")
    error_message = "each allow-listed CIDR reaches ports 80 and 443"
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.alb_to_cognito[0].from_port == 443
    error_message = "the load balancer reaches Cognito's endpoints on 443 to sign users in"
  }
}

run "the_world_without_sign_in_is_refused" {
  command = plan

  variables {
    dashboard_allowed_cidrs = ["0.0.0.0/0"]
    certificate_arn         = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  }

  expect_failures = [aws_lb.dashboard]
}

run "plain_http_is_refused_for_a_wide_allow_list" {
  command = plan

  variables {
    dashboard_allowed_cidrs = ["10.0.0.0/16"]
  }

  expect_failures = [aws_lb.dashboard]
}

run "cognito_is_refused_without_a_certificate" {
  command = plan

  variables {
    cognito = {
      user_pool_arn       = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_EXAMPLE"
      user_pool_client_id = "client"
      user_pool_domain    = "talent-pulse-auth"
    }
  }

  expect_failures = [aws_lb.dashboard]
}

# The variables of infra/small.tfvars.example (tests/infra checks they are the same).
run "the_small_example_is_the_cheap_shape" {
  command = plan

  variables {
    az_count           = 2
    msk_broker_count   = 2
    msk_volume_size_gb = 10
    emr_worker = {
      vcpu      = 1
      memory_gb = 4
      disk_gb   = 20
    }
    emr_executors = {
      initial = 1
      max     = 2
    }
    emr_prewarm      = false
    redis_node_type  = "cache.t4g.micro"
    redis_replicas   = 0
    dashboard_cpu    = 256
    dashboard_memory = 1024
    waf_enabled      = false
  }

  assert {
    condition     = length(aws_emrserverless_application.stream.initial_capacity) == 0 && aws_emrserverless_application.stream.maximum_capacity[0].cpu == "3 vCPU"
    error_message = "no warm pool; at most a driver and two executors of 1 vCPU"
  }
  # 4096 MB < 4224: the 384 MB overhead floor applies, 3712 + 384 = 4096 MB.
  assert {
    condition     = output.stream_job.spark_conf["spark.executor.memory"] == "3712m" && output.stream_job.spark_conf["spark.driver.cores"] == "1"
    error_message = "Spark sizes follow the 1 vCPU / 4 GB worker"
  }
  assert {
    condition     = length(aws_wafv2_web_acl.dashboard) == 0 && aws_elasticache_replication_group.serving.num_cache_clusters == 1
    error_message = "no WAF and a single cache node"
  }
}

run "the_alert_email_is_subscribed" {
  command = plan

  variables {
    alert_email = "oncall@example.com"
  }

  assert {
    condition     = aws_sns_topic_subscription.alert_email[0].protocol == "email" && aws_sns_topic_subscription.alert_email[0].endpoint == "oncall@example.com"
    error_message = "alert_email subscribes to the alerts topic"
  }
}

run "worker_sizes_emr_serverless_cannot_run_are_refused" {
  command = plan

  variables {
    emr_worker = {
      vcpu      = 2
      memory_gb = 32
      disk_gb   = 20
    }
  }

  expect_failures = [var.emr_worker]
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
