#!/usr/bin/env bash
# Installs every Debian package LaminarDB needs to build and test.
# Idempotent: when every package is already installed it returns in well under a second.
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config ccache
  libgtest-dev libgmock-dev libbenchmark-dev
  libfmt-dev libmimalloc-dev libreadline-dev libre2-dev libcurl4-openssl-dev nlohmann-json3-dev
  clang-format
  python3 python3-pytest
)

# Not installed here: node and npm, which the S3 object store tests use to run an S3 test
# server (scripts/services/start-s3.sh; the tests skip without node). Use the machine's own
# node; Debian's npm package conflicts with the usual nodesource build.

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
