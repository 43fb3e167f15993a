# The Streamlit dashboard on ECS Fargate in the private subnets, behind an ALB that only the
# allow-listed CIDRs reach. Closed by default: plain HTTP only for narrow allow-lists (/24 or
# smaller each), HTTPS otherwise, Cognito sign-in required for anything wider than /8; an
# optional WAF web ACL (waf.tf).

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

locals {
  dashboard_env = merge(local.common_env, {
    PULSE_REDIS_URL       = local.redis_urls["reader"]
    PULSE_HISTORY_BACKEND = "athena"
    PULSE_DASHBOARD_PORT  = tostring(local.dashboard_port)
    AWS_REGION            = var.region
  })
}

resource "aws_ecs_task_definition" "dashboard" {
  family                   = "${var.name}-dashboard"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.dashboard_cpu
  memory                   = var.dashboard_memory
  execution_role_arn       = aws_iam_role.dashboard_execution.arn
  task_role_arn            = aws_iam_role.dashboard_task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name      = "dashboard"
    image     = "${aws_ecr_repository.this["dashboard"].repository_url}:${var.dashboard_image_tag}"
    essential = true
    portMappings = [{
      containerPort = local.dashboard_port
      protocol      = "tcp"
    }]
    environment = [for name, value in local.dashboard_env : { name = name, value = value }]
    secrets = [{
      name      = "PULSE_REDIS_PASSWORD"
      valueFrom = aws_secretsmanager_secret.redis_auth["reader"].arn
    }]
    healthCheck = {
      command     = ["CMD-SHELL", "python -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:${local.dashboard_port}/_stcore/health')\""]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this["dashboard"].name
        awslogs-region        = var.region
        awslogs-stream-prefix = "dashboard"
      }
    }
  }])
}

resource "aws_ecs_service" "dashboard" {
  name            = "${var.name}-dashboard"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.dashboard.arn
  desired_count   = var.dashboard_desired_count
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.this["dashboard"].id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.dashboard.arn
    container_name   = "dashboard"
    container_port   = local.dashboard_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [aws_lb_listener.http]
}

locals {
  https_enabled    = var.certificate_arn != ""
  cognito_enabled  = var.cognito != null
  allowed_prefixes = [for cidr in var.dashboard_allowed_cidrs : tonumber(split("/", cidr)[1])]
  # Plain HTTP is tolerated for a handful of known hosts only.
  allow_list_is_narrow = alltrue([for prefix in local.allowed_prefixes : prefix >= 24])
  # Wider than /8 (0.0.0.0/0 above all) is the internet: nobody gets in without signing in.
  allow_list_is_open = anytrue([for prefix in local.allowed_prefixes : prefix < 8])
}

resource "aws_lb" "dashboard" {
  # checkov:skip=CKV_AWS_150: deletion protection is the alb_deletion_protection variable, off by default so `make destroy` works; turn it on for production.
  # checkov:skip=CKV_AWS_91: no access logs: they need a separate SSE-S3 bucket with an ELB delivery policy; add one when auditing requires it.
  name                       = "${var.name}-dashboard"
  load_balancer_type         = "application"
  internal                   = var.alb_internal
  subnets                    = aws_subnet.public[*].id
  security_groups            = [aws_security_group.this["alb"].id]
  idle_timeout               = var.alb_idle_timeout_seconds
  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection

  lifecycle {
    precondition {
      condition     = local.https_enabled || local.allow_list_is_narrow
      error_message = "Plain HTTP is only allowed when every dashboard_allowed_cidrs block is /24 or narrower: set certificate_arn (an ACM certificate) for HTTPS, or narrow the allow-list."
    }
    precondition {
      condition     = !local.allow_list_is_open || local.cognito_enabled
      error_message = "dashboard_allowed_cidrs opens the dashboard to the internet (a block wider than /8, e.g. 0.0.0.0/0): set cognito (and certificate_arn) so users sign in, or narrow the allow-list."
    }
    precondition {
      condition     = !local.cognito_enabled || local.https_enabled
      error_message = "Cognito sign-in needs HTTPS: set certificate_arn (an ACM certificate for the dashboard's domain)."
    }
  }
}

resource "aws_lb_target_group" "dashboard" {
  # checkov:skip=CKV_AWS_378: TLS ends at the load balancer; ALB-to-task traffic stays inside the VPC's private subnets and Streamlit serves plain HTTP.
  name_prefix = "dash-"
  port        = local.dashboard_port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.this.id

  health_check {
    path                = "/_stcore/health"
    matcher             = "200"
    interval            = 30
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  # A Streamlit session lives in one task's memory: keep each browser on its task.
  stickiness {
    type            = "lb_cookie"
    enabled         = true
    cookie_duration = 86400
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Without a certificate: HTTP forwards to the dashboard. With one: HTTP redirects to HTTPS.
resource "aws_lb_listener" "http" {
  # checkov:skip=CKV_AWS_2: with certificate_arn this listener only redirects to HTTPS; without one it serves plain HTTP, which a precondition allows only for allow-lists of /24 or narrower.
  load_balancer_arn = aws_lb.dashboard.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.https_enabled ? "redirect" : "forward"
    target_group_arn = local.https_enabled ? null : aws_lb_target_group.dashboard.arn

    dynamic "redirect" {
      for_each = local.https_enabled ? [1] : []
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https_enabled ? 1 : 0

  load_balancer_arn = aws_lb.dashboard.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  dynamic "default_action" {
    for_each = local.cognito_enabled ? [var.cognito] : []
    content {
      type  = "authenticate-cognito"
      order = 1
      authenticate_cognito {
        user_pool_arn       = default_action.value.user_pool_arn
        user_pool_client_id = default_action.value.user_pool_client_id
        user_pool_domain    = default_action.value.user_pool_domain
      }
    }
  }

  default_action {
    type             = "forward"
    order            = local.cognito_enabled ? 2 : 1
    target_group_arn = aws_lb_target_group.dashboard.arn
  }
}
