#!/usr/bin/env bash
# Installs what twinflow needs, builds it and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
./build/twinflow_demo "$@"
