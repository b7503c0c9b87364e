#!/usr/bin/env bash
# Configures and builds twinflow into build/ (Release, -march=native).
# Extra arguments go to cmake, e.g. -DTWINFLOW_NATIVE=OFF. TWINFLOW_TARGETS limits what is
# built (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TWINFLOW_BUILD_DIR:-build}
# ccache, when installed, keeps compiled objects across builds and build directories.
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${TWINFLOW_BUILD_TYPE:-Release} \
  "${launcher[@]}" "$@" >/dev/null
# shellcheck disable=SC2086  # a list of targets
ninja -C "$build_dir" ${TWINFLOW_TARGETS:-}
