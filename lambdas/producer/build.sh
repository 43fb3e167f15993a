#!/usr/bin/env bash
# Builds build/lambda-producer.zip: Linux x86_64 CPython 3.11 wheels of what the handler needs
# (confluent-kafka, the MSK IAM signer, PyYAML for the skill taxonomy, and their dependencies) plus
# the talent_pulse package and the handler at lambdas/producer/handler.py (Terraform's handler path).
# Heavy dependencies of other parts (pyspark, pandas, pyarrow, duckdb, streamlit) stay out.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PYTHON=${PYTHON:-python3}
OUT=${OUT:-$ROOT/build/lambda-producer.zip}
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# Exact versions from pyproject.toml (one place pins them), except confluent-kafka: the python3.11
# Lambda runtime runs Amazon Linux 2 (glibc 2.26), and releases after 2.4.0 ship only
# manylinux_2_28 wheels that fail to load there. 2.4.0 is the newest with manylinux2014 wheels;
# the zip test runs the handler on it. (Moving the Lambda to python3.12/AL2023 would lift this.)
LAMBDA_CONFLUENT_KAFKA=${LAMBDA_CONFLUENT_KAFKA:-confluent-kafka==2.4.0}
pin() { grep -oE "\"$1==[^\"]+\"" pyproject.toml | tr -d '"'; }
REQUIREMENTS=("$LAMBDA_CONFLUENT_KAFKA" "$(pin aws-msk-iam-sasl-signer-python)" "$(pin boto3)" "$(pin PyYAML)")

started=$(date +%s)
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-compile --no-warn-conflicts \
  --platform manylinux2014_x86_64 --only-binary=:all: --python-version 3.11 --implementation cp \
  --target "$STAGE" "${REQUIREMENTS[@]}"
mkdir -p "$STAGE/lambdas/producer"
cp lambdas/producer/handler.py "$STAGE/lambdas/producer/"
(cd "$ROOT" && find talent_pulse -name '__pycache__' -prune -o -type f \( -name '*.py' -o -path '*/data/*' \) -print) \
  | while read -r file; do mkdir -p "$STAGE/$(dirname "$file")"; cp "$file" "$STAGE/$file"; done
rm -rf "$STAGE"/bin "$STAGE"/*.dist-info/RECORD

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
(cd "$STAGE" && zip -qr -X "$OUT" .)
echo "wrote $OUT in $(( $(date +%s) - started ))s: $(du -h "$OUT" | cut -f1) zipped, $(du -sh "$STAGE" | cut -f1) unpacked (Lambda limit 250 MB)"
du -sh "$STAGE"/* | sort -rh | head -8
