#!/usr/bin/env bash
# Installs what twinflow needs, builds it and runs every test suite with ctest.
# TWINFLOW_BUILD_DIR and TWINFLOW_BUILD_TYPE select another build; extra arguments go to cmake
# (scripts/test.sh -DTWINFLOW_SANITIZE=ON runs the suites under ASan and UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Every target (the tests, the command line, the demos and the benchmarks), so no program can
# stop compiling unnoticed; TWINFLOW_TARGETS limits the build to some.
scripts/build.sh "$@"
ctest --test-dir "${TWINFLOW_BUILD_DIR:-build}" --output-on-failure -j2
