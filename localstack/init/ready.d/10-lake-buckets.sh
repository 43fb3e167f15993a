#!/usr/bin/env bash
# LocalStack ready hook: create the buckets of PULSE_LAKE_URI and PULSE_CHECKPOINT_URI.
# Idempotent: an existing bucket is left as it is (the localstack-data volume keeps them).
set -euo pipefail

for uri in "${PULSE_LAKE_URI:?set PULSE_LAKE_URI in docker-compose.yml}" \
           "${PULSE_CHECKPOINT_URI:?set PULSE_CHECKPOINT_URI in docker-compose.yml}"; do
  case "$uri" in
    s3://* | s3a://*) ;;
    *) echo "skipping $uri: not an s3:// location"; continue ;;
  esac
  bucket=${uri#*://}
  bucket=${bucket%%/*}
  if awslocal s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
    echo "bucket $bucket already exists"
  else
    region=${AWS_REGION:?set AWS_REGION in docker-compose.yml}
    location=()
    # S3 rejects a LocationConstraint of us-east-1 and requires one everywhere else.
    [[ "$region" == us-east-1 ]] || location=(--create-bucket-configuration "LocationConstraint=$region")
    awslocal s3api create-bucket --bucket "$bucket" --region "$region" "${location[@]}" >/dev/null
    echo "created bucket $bucket"
  fi
done
