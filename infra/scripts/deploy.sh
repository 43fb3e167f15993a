#!/usr/bin/env bash
# `make deploy` (make builds the artifacts first): create the ECR repositories, build and push
# the dashboard and job runtime images, stop the stream, apply the whole configuration, then
# start the stream again from its checkpoint.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/images.sh"

dashboard_tag="$(git -C "$repo_root" rev-parse --short=12 HEAD)"
if [[ -n "$(git -C "$repo_root" status --porcelain -- dashboard talent_pulse)" ]]; then
  dashboard_tag="$dashboard_tag-dirty-$(date +%s)"  # tags are immutable: never reuse one for other content
fi
job_tag="$(job_image_tag)"
tf_vars=(-var "dashboard_image_tag=$dashboard_tag" -var "job_image_tag=$job_tag")

say "terraform init"
if [[ ! -f "$infra_dir/backend.tf" ]]; then
  printf 'warning: no infra/backend.tf: the state stays on this machine (a one-person trial only).\n'
  printf '         For a team, set up the S3 backend first: docs/deploy.md, section 2.\n'
fi
tf init -input=false

ensure_repositories
build_and_push "$repo_root/dashboard/Dockerfile" "$(tf output -raw dashboard_ecr_repository_url)" "$dashboard_tag"
push_job_image "$(tf output -raw job_runtime_ecr_repository_url)" "$job_tag"

# Never two runs on one checkpoint: wait until the old run is CANCELLED. The application is
# stopped too, because EMR Serverless only accepts a new image or capacity while it is stopped.
if tf output -json stream_job >/dev/null 2>&1; then
  say "stop the streaming job and the EMR Serverless application"
  pulse deploy stop-stream --stop-application --infra-dir "$infra_dir"
fi

say "terraform apply (everything; MSK and ElastiCache take 20-40 minutes the first time)"
tf apply -input=false -auto-approve "${tf_vars[@]}"

say "start the streaming job (it resumes from its S3 checkpoint)"
pulse deploy start-stream --infra-dir "$infra_dir"

say "deployed"
pulse deploy outputs --infra-dir "$infra_dir"
