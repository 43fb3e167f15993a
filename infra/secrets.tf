# The serving layer's passwords live in Secrets Manager only, one per ElastiCache RBAC user
# (elasticache.tf): the job writes as "writer", the dashboard reads as "reader". ECS injects
# the reader's as PULSE_REDIS_PASSWORD; the EMR job reads the writer's by
# PULSE_REDIS_PASSWORD_SECRET_ARN.
#
# Each password is generated once by Secrets Manager itself (no extra provider needed). The data
# source is re-read on every plan, so the secret version ignores later values. Rotate one with
# `-replace=aws_secretsmanager_secret_version.redis_auth["writer"]` (docs/deploy.md, runbook).
# The state holds the passwords: keep the state backend encrypted.

data "aws_secretsmanager_random_password" "redis_auth" {
  for_each = local.redis_users

  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "redis_auth" {
  # checkov:skip=CKV2_AWS_57: no rotation Lambda: rotating means replacing the secret version, applying (which updates the ElastiCache user) and restarting the clients; the runbook in docs/deploy.md has the steps.
  for_each = local.redis_users

  name_prefix             = "${var.name}/redis-${each.key}-"
  description             = "Password of the ${each.value.user_name} user of the ${var.name} serving layer (${each.value.purpose})"
  kms_key_id              = aws_kms_key.platform.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "redis_auth" {
  for_each = local.redis_users

  secret_id     = aws_secretsmanager_secret.redis_auth[each.key].id
  secret_string = data.aws_secretsmanager_random_password.redis_auth[each.key].random_password

  lifecycle {
    ignore_changes = [secret_string]
  }
}
