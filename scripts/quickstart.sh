#!/usr/bin/env bash
# Installs what twinflow needs, builds the command line and runs the main job: training the
# cosine Siamese network on the demo data (data/), then evaluating it on the test split.
# (The browser and PyTorch that only some tests need are left out; scripts/test.sh brings them.)
set -euo pipefail
cd "$(dirname "$0")/.."
TWINFLOW_BROWSER_TESTS=0 TWINFLOW_TORCH_TESTS=0 scripts/install-deps.sh
TWINFLOW_TARGETS=twinflow scripts/build.sh
./build/twinflow train models/cosine_siamese.yaml "$@"
