# Shared by deploy.sh and destroy.sh: locate Terraform/OpenTofu and the repository.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
infra_dir="$repo_root/infra"

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

tf_bin="${TF_BIN:-$(command -v terraform || command -v tofu || true)}"
[[ -n "$tf_bin" ]] || die "install Terraform >= 1.6 or OpenTofu (or set TF_BIN)"
tf() { "$tf_bin" -chdir="$infra_dir" "$@"; }

[[ -f "$infra_dir/terraform.tfvars" ]] ||
  die "infra/terraform.tfvars is missing: cp infra/terraform.tfvars.example infra/terraform.tfvars and edit it (dashboard_allowed_cidrs at least)"

python3 -c 'import boto3; boto3.client("sts").get_caller_identity()' 2>/dev/null ||
  die "no usable AWS credentials: configure a profile (aws configure / AWS_PROFILE) for the target account"
