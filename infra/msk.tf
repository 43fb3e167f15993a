# Provisioned MSK: IAM authentication only, TLS in transit, KMS at rest, broker logs to
# CloudWatch. Topics are managed here too, so no client ever auto-creates one.

resource "aws_msk_configuration" "this" {
  name           = var.name
  kafka_versions = [var.kafka_version]
  server_properties = join("\n", [
    "auto.create.topics.enable=false",
    "default.replication.factor=${local.msk_replication_factor}",
    "min.insync.replicas=${local.msk_min_insync_replicas}",
    "num.partitions=${var.topic_partitions}",
    "unclean.leader.election.enable=false",
  ])

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  msk_replication_factor  = min(3, var.msk_broker_count)
  msk_min_insync_replicas = max(1, local.msk_replication_factor - 1)
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.msk_broker_count
  enhanced_monitoring    = "PER_TOPIC_PER_BROKER"

  broker_node_group_info {
    instance_type   = var.msk_instance_type
    client_subnets  = aws_subnet.private[*].id
    security_groups = [aws_security_group.this["msk"].id]

    storage_info {
      ebs_storage_info {
        volume_size = var.msk_volume_size_gb
      }
    }
  }

  client_authentication {
    unauthenticated = false
    sasl {
      iam = true
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = aws_kms_key.platform.arn
    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.this["msk"].name
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.msk_broker_count % var.az_count == 0
      error_message = "msk_broker_count (${var.msk_broker_count}) must be a multiple of az_count (${var.az_count})."
    }
  }
}

resource "aws_msk_topic" "postings" {
  cluster_arn        = aws_msk_cluster.this.arn
  name               = var.postings_topic
  partition_count    = var.topic_partitions
  replication_factor = local.msk_replication_factor
  configs = jsonencode({
    "retention.ms"        = tostring(var.topic_retention_hours * 3600 * 1000)
    "cleanup.policy"      = "delete"
    "min.insync.replicas" = tostring(local.msk_min_insync_replicas)
  })
}
