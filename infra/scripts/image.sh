#!/usr/bin/env bash
# `make image`: build the streaming job's runtime image (glue_or_emr_jobs/image) and push it to
# its ECR repository, tagged by the hash of its inputs. `make deploy` does this too.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/images.sh"

tag="$(job_image_tag)"
tf_vars=(-var "dashboard_image_tag=unused" -var "job_image_tag=$tag")
tf init -input=false >/dev/null
ensure_repositories
push_job_image "$(tf output -raw job_runtime_ecr_repository_url)" "$tag"
say "runtime image tag: $tag (make deploy passes it as job_image_tag)"
