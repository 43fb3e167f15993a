# Serving layer: a Valkey (or Redis OSS 7+) replication group with TLS, RBAC and, with at
# least one replica, Multi-AZ automatic failover. Cluster mode stays disabled: the serving
# keys share one hash tag anyway, and a single shard keeps the client simple.
#
# RBAC: the built-in "default" user is switched off; the streaming job connects as the writer,
# the dashboard as the read-only reader. Both may touch only the namespace's keys.

locals {
  redis_key_pattern = "~{${var.serving_namespace}}:*"
  redis_users = {
    writer = {
      user_name = "${var.name}-writer"
      purpose   = "the streaming job: batch-fenced updates by Lua script"
      # EVALSHA/SCRIPT LOAD run the batch script, which stamps the update with TIME (no category
      # but @fast); -@dangerous drops KEYS, FLUSH*, CONFIG, DEBUG.
      access_string = "on ${local.redis_key_pattern} -@all +@read +@write +@transaction +@scripting +@connection +time -@dangerous"
    }
    reader = {
      user_name     = "${var.name}-reader"
      purpose       = "the dashboard: reads only"
      access_string = "on ${local.redis_key_pattern} -@all +@read +@transaction +@connection -@dangerous"
    }
  }
  redis_urls = {
    for role, user in local.redis_users :
    role => "rediss://${user.user_name}@${aws_elasticache_replication_group.serving.primary_endpoint_address}:${local.redis_port}/0"
  }
}

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
}

# Every user group needs a user named "default"; this one is off, so it cannot sign in at all.
resource "aws_elasticache_user" "disabled_default" {
  user_id       = "${var.name}-default"
  user_name     = "default"
  engine        = var.redis_engine
  access_string = "off -@all"

  authentication_mode {
    type = "no-password-required"
  }
}

resource "aws_elasticache_user" "serving" {
  for_each = local.redis_users

  user_id       = "${var.name}-${each.key}"
  user_name     = each.value.user_name
  engine        = var.redis_engine
  access_string = each.value.access_string

  authentication_mode {
    type      = "password"
    passwords = [aws_secretsmanager_secret_version.redis_auth[each.key].secret_string]
  }
}

resource "aws_elasticache_user_group" "serving" {
  user_group_id = var.name
  engine        = var.redis_engine
  user_ids      = concat([aws_elasticache_user.disabled_default.user_id], [for user in aws_elasticache_user.serving : user.user_id])
}

resource "aws_elasticache_replication_group" "serving" {
  # checkov:skip=CKV2_AWS_50: automatic failover and Multi-AZ are on whenever redis_replicas >= 1 (the default); redis_replicas = 0 is an explicit single-node dev choice.
  # checkov:skip=CKV_AWS_31: clients authenticate with RBAC users (user_group_ids) instead of an AUTH token; the check only looks for auth_token.
  replication_group_id = var.name
  description          = "${var.name} serving layer (skill demand counters)"

  engine               = var.redis_engine
  engine_version       = var.redis_engine_version
  node_type            = var.redis_node_type
  port                 = local.redis_port
  parameter_group_name = "default.${var.redis_engine}${split(".", var.redis_engine_version)[0]}"

  num_cache_clusters         = 1 + var.redis_replicas
  automatic_failover_enabled = var.redis_replicas > 0
  multi_az_enabled           = var.redis_replicas > 0

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.this["redis"].id]

  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.platform.arn
  user_group_ids             = [aws_elasticache_user_group.serving.user_group_id]

  auto_minor_version_upgrade = true
  snapshot_retention_limit   = 1
  apply_immediately          = true

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.this["redis"].name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}
