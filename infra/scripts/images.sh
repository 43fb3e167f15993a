# Shared by deploy.sh and image.sh (sourced after common.sh): the ECR repositories and the two
# images pushed to them, both built for linux/amd64 (the Fargate task and the EMR Serverless
# application are X86_64) whatever the build machine is.

job_image_dir="$repo_root/glue_or_emr_jobs/image"
base_image_lock="$job_image_dir/base-image.lock"

# Creates (or updates) the ECR repositories and their policies before anything is pushed.
ensure_repositories() {
  say "ECR repositories (first, so the images can be pushed before the services use them)"
  tf apply -input=false -auto-approve "${tf_vars[@]}" \
    -target='aws_ecr_repository.this' -target=aws_ecr_lifecycle_policy.this -target=aws_ecr_repository_policy.job_runtime
}

# image_pushed REPOSITORY_URL TAG: whether ECR already holds that tag (tags are immutable).
image_pushed() {
  python3 - "$1" "$2" <<'PY'
import sys
import boto3

repository, tag = sys.argv[1], sys.argv[2]
ecr = boto3.client("ecr")
try:
    ecr.describe_images(repositoryName=repository.split("/", 1)[1], imageIds=[{"imageTag": tag}])
except ecr.exceptions.ImageNotFoundException:
    sys.exit(1)
PY
}

# build_and_push DOCKERFILE REPOSITORY_URL TAG [docker build arguments...]
build_and_push() {
  local dockerfile="$1" repository="$2" tag="$3"
  shift 3
  if image_pushed "$repository" "$tag"; then
    say "image $repository:$tag is already pushed"
    return
  fi
  command -v docker >/dev/null || die "docker is needed to build $dockerfile"
  say "build and push $repository:$tag"
  python3 -c 'import base64, boto3; print(base64.b64decode(boto3.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]).decode().split(":", 1)[1])' |
    docker login --username AWS --password-stdin "${repository%%/*}"
  docker build --platform linux/amd64 -f "$dockerfile" -t "$repository:$tag" "$@" "$repo_root"
  docker push "$repository:$tag"
}

# The runtime image's tag: a hash of everything it is built from, so a rebuild with the same
# inputs reuses the pushed image and any change gets a new immutable tag.
job_image_tag() {
  local jars=("$repo_root"/build/jars/*.jar)
  [[ -e "${jars[0]}" ]] || die "build/jars is empty: run \`make jars\` (or \`make artifacts\`) first"
  [[ -f "$repo_root/build/jars/talent-pulse-skill-matcher.jar" ]] ||
    die "build/jars lacks talent-pulse-skill-matcher.jar: run \`make jars\`"
  require_base_image_lock
  (cd "$repo_root" && sha256sum glue_or_emr_jobs/image/Dockerfile glue_or_emr_jobs/image/requirements.txt \
    glue_or_emr_jobs/image/base-image.lock build/jars/*.jar) | sha256sum | cut -c1-16 | sed 's/^/rt-/'
}

require_base_image_lock() {
  [[ -f "$base_image_lock" ]] ||
    die "glue_or_emr_jobs/image/base-image.lock is missing: pin the EMR Serverless emr-spark-8.0.0 base image once with \`make image-pin EMR_BASE_IMAGE=<its reference from the Amazon ECR Public Gallery>\`, then commit the file"
  grep -Eq '^[^[:space:]@]+@sha256:[0-9a-f]{64}$' "$base_image_lock" ||
    die "glue_or_emr_jobs/image/base-image.lock must hold one repository@sha256:<digest> line: rerun \`make image-pin\`"
}

# push_job_image: builds the runtime image if its tag is new; prints nothing but says what it does.
push_job_image() {
  local repository="$1" tag="$2"
  build_and_push "$job_image_dir/Dockerfile" "$repository" "$tag" --build-arg "EMR_BASE_IMAGE=$(cat "$base_image_lock")"
}
