#!/usr/bin/env bash
# Installs the Debian 12 packages twinflow builds with. Idempotent: does nothing when all are
# present. Needs root (or sudo) the first time.
set -euo pipefail

packages=(build-essential cmake ninja-build libeigen3-dev libfmt-dev libyaml-cpp-dev
          doctest-dev libcli11-dev nlohmann-json3-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
