#!/usr/bin/env bash
# Installs what twinflow needs, builds it and runs the main job: training the cosine Siamese
# network on the demo data (data/), then evaluating it on the test split.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
./build/twinflow train models/cosine_siamese.yaml "$@"
