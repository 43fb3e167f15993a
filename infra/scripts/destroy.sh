#!/usr/bin/env bash
# `make destroy`: stop the streaming job, then destroy everything Terraform created.
# The data bucket (lake, checkpoints) and the ECR images are kept unless PULSE_DELETE_DATA=1.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Any valid tags: destroy does not read them, but the variables have no default.
tf_vars=(-var "dashboard_image_tag=destroy" -var "job_image_tag=destroy")

say "stop the streaming job"
pulse deploy stop-stream --infra-dir "$infra_dir" || echo "(no outputs or no job: nothing to stop)"

if [[ "${PULSE_DELETE_DATA:-0}" == "1" ]]; then
  say "PULSE_DELETE_DATA=1: let Terraform delete non-empty buckets, the Athena workgroup and ECR images"
  tf apply -input=false -auto-approve "${tf_vars[@]}" -var force_destroy_buckets=true \
    -target=aws_s3_bucket.this -target=aws_athena_workgroup.history -target='aws_ecr_repository.this'
  tf_vars+=(-var force_destroy_buckets=true)
fi

say "terraform destroy"
if ! tf destroy -input=false -auto-approve "${tf_vars[@]}"; then
  die "destroy did not finish. Non-empty buckets are kept on purpose: rerun with PULSE_DELETE_DATA=1 make destroy to delete the lake too"
fi
