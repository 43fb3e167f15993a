#!/usr/bin/env bash
# `make image-pin EMR_BASE_IMAGE=<reference>`: resolve the EMR Serverless base image (the
# emr-spark-8.0.0 image as listed in the Amazon ECR Public Gallery, e.g. its :latest tag) to the
# digest it points at now and write repository@sha256:<digest> to glue_or_emr_jobs/image/base-image.lock.
# Review and commit that file: every build then uses exactly that base until you pin again.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
reference="${1:-}"
[[ -n "$reference" ]] || { echo "usage: make image-pin EMR_BASE_IMAGE=<emr-spark-8.0.0 base image reference>" >&2; exit 2; }
command -v docker >/dev/null || { echo "error: docker (with buildx) is needed to resolve the digest" >&2; exit 1; }

digest="$(docker buildx imagetools inspect "$reference" --format '{{json .Manifest}}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["digest"])')"
# repository = the reference without its tag or digest (a tag's colon comes after the last slash).
repository="$(python3 -c 'import sys; ref = sys.argv[1].split("@")[0]; head, _, tail = ref.rpartition("/"); print((head + "/" if head else "") + tail.split(":")[0])' "$reference")"
echo "$repository@$digest" > "$repo_root/glue_or_emr_jobs/image/base-image.lock"
echo "pinned $reference -> $repository@$digest in glue_or_emr_jobs/image/base-image.lock; commit it"
