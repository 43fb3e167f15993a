#!/usr/bin/env bash
# `make deploy`: (artifacts are built by make first) create the ECR repository, build and push
# the dashboard image, apply the whole configuration, then (re)start the streaming job.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v docker >/dev/null || die "docker is needed to build the dashboard image (dashboard/Dockerfile)"

image_tag="$(git -C "$repo_root" rev-parse --short=12 HEAD)"
if [[ -n "$(git -C "$repo_root" status --porcelain -- dashboard talent_pulse)" ]]; then
  image_tag="$image_tag-dirty-$(date +%s)"  # tags are immutable: never reuse one for other content
fi
tf_vars=(-var "dashboard_image_tag=$image_tag")

say "terraform init"
tf init -input=false

say "ECR repository (first, so the image can be pushed before the service starts)"
tf apply -input=false -auto-approve "${tf_vars[@]}" -target=aws_ecr_repository.dashboard
repository="$(tf output -raw dashboard_ecr_repository_url)"
registry="${repository%%/*}"

if python3 - "$repository" "$image_tag" <<'PY'
import sys
import boto3

repository, tag = sys.argv[1], sys.argv[2]
ecr = boto3.client("ecr")
try:
    ecr.describe_images(repositoryName=repository.split("/", 1)[1], imageIds=[{"imageTag": tag}])
except ecr.exceptions.ImageNotFoundException:
    sys.exit(1)
PY
then
  say "image $repository:$image_tag is already pushed"
else
  say "build and push the dashboard image $repository:$image_tag"
  python3 -c 'import base64, boto3; print(base64.b64decode(boto3.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]).decode().split(":", 1)[1])' |
    docker login --username AWS --password-stdin "$registry"
  docker build -f "$repo_root/dashboard/Dockerfile" -t "$repository:$image_tag" "$repo_root"
  docker push "$repository:$image_tag"
fi

say "terraform apply (everything; MSK and ElastiCache take 20-40 minutes the first time)"
tf apply -input=false -auto-approve "${tf_vars[@]}"

say "restart the streaming job with the new artifacts (it resumes from its S3 checkpoint)"
pulse deploy stop-stream --infra-dir "$infra_dir"
pulse deploy start-stream --infra-dir "$infra_dir"

say "deployed"
pulse deploy outputs --infra-dir "$infra_dir"
