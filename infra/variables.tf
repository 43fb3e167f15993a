# --- general -------------------------------------------------------------------------------

variable "name" {
  description = "Name prefix of every resource; also part of the bucket names, so keep it short and DNS-safe."
  type        = string
  default     = "talent-pulse"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,20}$", var.name))
    error_message = "name must be 3-21 characters of lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "environment" {
  description = "Environment label added to the default tags (dev, staging, prod, ...)."
  type        = string
  default     = "dev"
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.region))
    error_message = "region must look like an AWS region name, e.g. us-east-1."
  }
}

variable "tags" {
  description = "Extra tags added to every resource through the provider's default_tags."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group created here."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

# --- network -------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC; split into one private and one public /20-ish subnet per AZ."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be a valid IPv4 CIDR of size /20 or larger."
  }
}

variable "az_count" {
  description = "Number of availability zones for the private subnets (MSK brokers, Redis, EMR, Lambda, ECS)."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6
    error_message = "az_count must be between 2 and 6: MSK and Multi-AZ Redis need at least two zones."
  }
}

variable "enable_nat_gateway" {
  description = "One NAT gateway for the private subnets (ECR image pulls, Secrets Manager, STS, CloudWatch). Without it, set interface_endpoints instead."
  type        = bool
  default     = true
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints instead of NAT (e.g. [\"ecr.api\", \"ecr.dkr\", \"logs\", \"secretsmanager\", \"sts\"]). The S3 gateway endpoint always exists."
  type        = list(string)
  default     = []
}

variable "flow_logs_enabled" {
  description = "Send VPC flow logs (rejected traffic) to CloudWatch Logs."
  type        = bool
  default     = true
}

# --- Kafka (MSK) -------------------------------------------------------------------------

variable "kafka_version" {
  description = "MSK Apache Kafka version; the local broker runs Apache Kafka 4.1."
  type        = string
  default     = "4.1.x.kraft"
}

variable "msk_instance_type" {
  description = "Broker instance type."
  type        = string
  default     = "kafka.t3.small"
}

variable "msk_broker_count" {
  description = "Number of broker nodes; must be a multiple of az_count."
  type        = number
  default     = 3
}

variable "msk_volume_size_gb" {
  description = "EBS storage per broker, in GiB."
  type        = number
  default     = 50

  validation {
    condition     = var.msk_volume_size_gb >= 1 && var.msk_volume_size_gb <= 16384
    error_message = "msk_volume_size_gb must be between 1 and 16384."
  }
}

variable "postings_topic" {
  description = "Topic carrying posting events v1 (the settings' PULSE_POSTINGS_TOPIC)."
  type        = string
  default     = "job-postings"
}

variable "topic_partitions" {
  description = "Partitions of the postings topic."
  type        = number
  default     = 6

  validation {
    condition     = var.topic_partitions >= 1
    error_message = "topic_partitions must be at least 1."
  }
}

variable "topic_retention_hours" {
  description = "How long the postings topic keeps records; the streaming job must not fall further behind than this."
  type        = number
  default     = 168

  validation {
    condition     = var.topic_retention_hours >= 1
    error_message = "topic_retention_hours must be at least 1."
  }
}

# --- EMR Serverless ------------------------------------------------------------------------

variable "emr_release_label" {
  description = "EMR Serverless release: emr-spark-8.0.0 ships Spark 4.0.2, Scala 2.13, Python 3.11, JDK 17 (matching pyspark 4.0.2)."
  type        = string
  default     = "emr-spark-8.0.0"
}

variable "emr_worker" {
  description = "Size of every streaming-job worker, driver and executors alike. The job run's Spark sizes are derived from it (cores = vcpu; memory + overhead = memory_gb), so the job runs on the pre-initialised workers instead of starting others beside them."
  type = object({
    vcpu      = number
    memory_gb = number
    disk_gb   = number
  })
  default = {
    vcpu      = 2
    memory_gb = 8
    disk_gb   = 20
  }

  validation {
    # EMR Serverless worker sizes: 1 vCPU 2-8 GB, 2 vCPU 4-16, 4 vCPU 8-30, 8 vCPU 16-60, 16 vCPU 32-120.
    condition = contains([1, 2, 4, 8, 16], var.emr_worker.vcpu) && (
      var.emr_worker.memory_gb >= 2 * var.emr_worker.vcpu &&
      var.emr_worker.memory_gb <= lookup({ 1 = 8, 2 = 16, 4 = 30, 8 = 60, 16 = 120 }, tostring(var.emr_worker.vcpu), 0) &&
      floor(var.emr_worker.memory_gb) == var.emr_worker.memory_gb
    ) && var.emr_worker.disk_gb >= 20 && var.emr_worker.disk_gb <= 200
    error_message = "emr_worker must be an EMR Serverless worker size: vcpu 1, 2, 4, 8 or 16; memory_gb a whole number from 2 x vcpu up to 8, 16, 30, 60 or 120 GB; disk_gb 20-200."
  }
}

variable "emr_executors" {
  description = "Executors of the streaming job: `initial` start with it (and are the dynamic-allocation minimum); Spark may add executors up to `max` under backlog. The application's maximum capacity is (1 driver + max) workers."
  type = object({
    initial = number
    max     = number
  })
  default = {
    initial = 2
    max     = 4
  }

  validation {
    condition     = var.emr_executors.initial >= 1 && var.emr_executors.max >= var.emr_executors.initial && var.emr_executors.max <= 50
    error_message = "emr_executors needs 1 <= initial <= max <= 50."
  }
}

variable "emr_prewarm" {
  description = "Keep the driver and the initial executors pre-initialised while the application is started: a job run starts in seconds instead of minutes. They are billed while the application runs, which auto-stops emr_idle_timeout_minutes after the last job run; the running stream uses the same workers, so a 24/7 stream costs the same either way."
  type        = bool
  default     = true
}

variable "emr_idle_timeout_minutes" {
  description = "The application stops after this long without a running job (auto-stop)."
  type        = number
  default     = 15
}

variable "artifacts_dir" {
  description = "Folder with the built artifacts talent_pulse.zip, jars/*.jar and lambda-producer.zip (made by `make artifacts`); relative paths are from infra/."
  type        = string
  default     = "../build"
}

variable "allow_missing_artifacts" {
  description = "Plan even when artifacts_dir lacks built artifacts (offline checks). Missing artifacts are then left out; never set this for a real apply."
  type        = bool
  default     = false
}

# --- ElastiCache -------------------------------------------------------------------------

variable "redis_engine" {
  description = "ElastiCache engine of the serving layer: valkey or redis (OSS 7+)."
  type        = string
  default     = "valkey"

  validation {
    condition     = contains(["valkey", "redis"], var.redis_engine)
    error_message = "redis_engine must be valkey or redis."
  }
}

variable "redis_engine_version" {
  description = "Engine version (Valkey 7.2+/8.x, Redis OSS 7.0+)."
  type        = string
  default     = "8.0"

  validation {
    condition     = tonumber(split(".", var.redis_engine_version)[0]) >= 7
    error_message = "redis_engine_version must be 7 or newer."
  }
}

variable "redis_node_type" {
  description = "Cache node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_replicas" {
  description = "Read replicas besides the primary; at least 1 enables Multi-AZ automatic failover."
  type        = number
  default     = 1

  validation {
    condition     = var.redis_replicas >= 0 && var.redis_replicas <= 5
    error_message = "redis_replicas must be between 0 and 5."
  }
}

variable "serving_namespace" {
  description = "Hash tag shared by every serving-layer key (PULSE_SERVING_NAMESPACE)."
  type        = string
  default     = "pulse"
}

# --- S3, Glue, Athena --------------------------------------------------------------------

variable "quarantine_expiration_days" {
  description = "Quarantined records older than this many days are deleted by the lake maintenance job."
  type        = number
  default     = 90
}

variable "checkpoint_noncurrent_expiration_days" {
  description = "Old versions of checkpoint files are deleted after this many days."
  type        = number
  default     = 7
}

variable "athena_bytes_scanned_cutoff" {
  description = "Athena cancels a query of the workgroup that scans more than this many bytes (minimum 10 MB)."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.athena_bytes_scanned_cutoff >= 10485760
    error_message = "athena_bytes_scanned_cutoff must be at least 10485760 (10 MB)."
  }
}

variable "lake_maintenance_schedule" {
  description = "When the lake maintenance job runs (EventBridge Scheduler expression): compaction, snapshot expiry, orphan files."
  type        = string
  default     = "rate(6 hours)"
}

variable "lake_target_file_mb" {
  description = "Target size of the lake's data files after compaction (PULSE_LAKE_TARGET_FILE_MB)."
  type        = number
  default     = 128

  validation {
    condition     = var.lake_target_file_mb >= 8 && var.lake_target_file_mb <= 1024
    error_message = "lake_target_file_mb must be between 8 and 1024."
  }
}

variable "force_destroy_buckets" {
  description = "Let `terraform destroy` delete non-empty buckets (the lake included). Keep false outside throw-away environments."
  type        = bool
  default     = false
}

# --- Lambda producer ---------------------------------------------------------------------

variable "producer_schedule_rate" {
  description = "EventBridge Scheduler rate expression of the producer, e.g. rate(1 minute)."
  type        = string
  default     = "rate(1 minute)"

  validation {
    condition     = can(regex("^rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\)$", var.producer_schedule_rate))
    error_message = "producer_schedule_rate must be a rate expression like rate(1 minute) or rate(5 minutes)."
  }
}

variable "postings_per_invocation" {
  description = "Postings each scheduled producer invocation publishes."
  type        = number
  default     = 500

  validation {
    condition     = var.postings_per_invocation >= 1 && var.postings_per_invocation <= 100000
    error_message = "postings_per_invocation must be between 1 and 100000."
  }
}

variable "producer_enabled" {
  description = "Whether the producer schedule is ENABLED (false keeps it, DISABLED)."
  type        = bool
  default     = true
}

variable "lambda_memory_mb" {
  description = "Memory of the producer function."
  type        = number
  default     = 512
}

variable "lambda_timeout_seconds" {
  description = "Timeout of the producer function."
  type        = number
  default     = 120
}

# --- dashboard (ECS Fargate + ALB) -------------------------------------------------------

variable "job_image_tag" {
  description = "Tag of the streaming job's runtime image (EMR Serverless custom image: Python packages + jars) in its ECR repository. `make image` builds it, tagged by the hash of its inputs, and `make deploy` passes it."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.job_image_tag))
    error_message = "job_image_tag must be a valid image tag (letters, digits, _ . -; at most 128)."
  }
}

variable "dashboard_image_tag" {
  description = "Tag of the dashboard image in the ECR repository. Tags are immutable: `make deploy` pushes and passes the git commit."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.dashboard_image_tag))
    error_message = "dashboard_image_tag must be a valid image tag (letters, digits, _ . -; at most 128)."
  }
}

variable "dashboard_cpu" {
  description = "Fargate task CPU units of the dashboard."
  type        = number
  default     = 512
}

variable "dashboard_memory" {
  description = "Fargate task memory (MiB) of the dashboard."
  type        = number
  default     = 1024
}

variable "dashboard_desired_count" {
  description = "Dashboard tasks to run."
  type        = number
  default     = 1
}

variable "dashboard_allowed_cidrs" {
  description = "CIDR blocks allowed to reach the dashboard's load balancer (your office or VPN). No default. Plain HTTP needs every block /24 or narrower; anything wider than /8 (0.0.0.0/0) needs Cognito sign-in."
  type        = list(string)

  validation {
    condition     = length(var.dashboard_allowed_cidrs) > 0 && alltrue([for cidr in var.dashboard_allowed_cidrs : can(cidrhost(cidr, 0))])
    error_message = "dashboard_allowed_cidrs must list at least one valid CIDR block, e.g. [\"203.0.113.0/24\"]."
  }
}

variable "alb_internal" {
  description = "Make the load balancer internal (reachable from the VPC or a peered network only)."
  type        = bool
  default     = false
}

variable "alb_idle_timeout_seconds" {
  description = "ALB idle timeout; Streamlit keeps a websocket open, so keep this long."
  type        = number
  default     = 3600
}

variable "alb_deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
  default     = false
}

variable "certificate_arn" {
  description = "ACM certificate ARN for the HTTPS listener. Empty serves plain HTTP on port 80, which is only accepted when every allow-listed CIDR is /24 or narrower."
  type        = string
  default     = ""
}

variable "cognito" {
  description = "Cognito sign-in in front of the dashboard (needs certificate_arn; required when the allow-list is wider than /8, e.g. 0.0.0.0/0): an existing user pool's ARN, app client id and domain."
  type = object({
    user_pool_arn       = string
    user_pool_client_id = string
    user_pool_domain    = string
  })
  default = null
}

variable "waf_enabled" {
  description = "Put an AWS WAF web ACL with AWS managed rules (common, known bad inputs, IP reputation, anonymous IPs) in front of the dashboard's load balancer; about $9/month plus $0.60 per million requests."
  type        = bool
  default     = true
}

# --- operations ----------------------------------------------------------------------------

variable "alert_email" {
  description = "E-mail address subscribed to the alerts topic (job run FAILED/CANCELLED, producer errors, stale stream). Empty: the topic exists without a subscriber; AWS e-mails a confirmation link first."
  type        = string
  default     = ""

  validation {
    condition     = var.alert_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be empty or an e-mail address."
  }
}

variable "freshness_alarm_minutes" {
  description = "The stale-stream alarm fires when no micro-batch has published its metrics for this many minutes."
  type        = number
  default     = 10

  validation {
    condition     = var.freshness_alarm_minutes >= 2 && var.freshness_alarm_minutes <= 1440
    error_message = "freshness_alarm_minutes must be between 2 and 1440."
  }
}
