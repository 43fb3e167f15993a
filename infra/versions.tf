terraform {
  # 1.6: OpenTofu-compatible baseline (check blocks, `terraform test`); nothing newer is used.
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The offline schema check (tests/infra) validates against hashicorp/aws 6.66.0.
      version = "~> 6.66"
    }
  }
}
