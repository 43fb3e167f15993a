# The Redis AUTH token lives in Secrets Manager only. The ECS task gets it injected as
# PULSE_REDIS_PASSWORD; the EMR job reads it by PULSE_REDIS_PASSWORD_SECRET_ARN.
#
# The token is generated once by Secrets Manager itself (no extra provider needed). The data
# source is re-read on every plan, so both consumers ignore later values: rotate the token by
# tainting aws_secretsmanager_secret_version.redis_auth. Keep the state backend encrypted.

data "aws_secretsmanager_random_password" "redis_auth" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "redis_auth" {
  # checkov:skip=CKV2_AWS_57: rotating the token needs a coordinated ElastiCache AUTH update (auth_token_update_strategy); rotation is manual, see docs/readme/deploy.md.
  name_prefix             = "${var.name}/redis-auth-"
  description             = "AUTH token of the ${var.name} serving-layer replication group"
  kms_key_id              = aws_kms_key.platform.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "redis_auth" {
  secret_id     = aws_secretsmanager_secret.redis_auth.id
  secret_string = data.aws_secretsmanager_random_password.redis_auth.random_password

  lifecycle {
    ignore_changes = [secret_string]
  }
}
