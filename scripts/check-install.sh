#!/usr/bin/env bash
# Installs a build of twinflow (default build/) into a fresh temporary prefix, then builds
# examples/cpp against that prefix as a separate project, with the compiler's default flags
# (no -march=native, no -Werror), and runs it: the C++ program trains the cosine Siamese network
# and fails unless its loss goes down. Fails when any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build_dir" --prefix "$tmp/prefix" >/dev/null
cmake -S examples/cpp -B "$tmp/example" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/example"
"$tmp/example/siamese"
