#!/usr/bin/env bash
# Checks the system tools the local stack and the tests need; as root it installs
# the missing ones from Debian, otherwise it says what to install.
set -euo pipefail
declare -A PACKAGE_OF=(
  [java]=openjdk-17-jdk-headless
  [mvn]=maven
  [redis-server]=redis-server
  [chromium]=chromium
  [chromedriver]=chromium-driver
  [zip]=zip
  [go]=golang
)
missing=()
for tool in "${!PACKAGE_OF[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$tool]}")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "installing missing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
