# Serving layer: a Valkey (or Redis OSS 7+) replication group with TLS, AUTH and, with at
# least one replica, Multi-AZ automatic failover. Cluster mode stays disabled: the serving
# keys share one hash tag anyway, and a single shard keeps the client simple.

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_elasticache_replication_group" "serving" {
  # checkov:skip=CKV2_AWS_50: automatic failover and Multi-AZ are on whenever redis_replicas >= 1 (the default); redis_replicas = 0 is an explicit single-node dev choice.
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
  auth_token                 = aws_secretsmanager_secret_version.redis_auth.secret_string

  auto_minor_version_upgrade = true
  snapshot_retention_limit   = 1
  apply_immediately          = true

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.this["redis"].name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  lifecycle {
    ignore_changes = [auth_token]
  }
}
