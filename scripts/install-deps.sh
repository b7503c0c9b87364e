#!/usr/bin/env bash
# Installs the Debian 12 packages twinflow builds with. Idempotent: does nothing when all are
# present. Needs root (or sudo) the first time. With --fuzz, also clang and libFuzzer for the
# fuzzing build (scripts/fuzz.sh).
set -euo pipefail

packages=(build-essential cmake ninja-build libeigen3-dev libfmt-dev libyaml-cpp-dev
          doctest-dev libcli11-dev nlohmann-json3-dev pkg-config libgraphviz-dev libssl-dev
          libopenmpi-dev openmpi-bin libonnx-dev libprotobuf-dev libhdf5-dev
          python3-h5py)  # Keras files written as Keras writes them (ctest exchange.h5py)

# The Python package (python/, `import twinflow`): pybind11 for its module, NumPy, pytest for its
# suite (tests/python/), and venv, pip, setuptools and wheel to install it as the README says.
packages+=(python3-dev python3-pybind11 python3-numpy python3-pytest python3-venv python3-pip
           python3-setuptools python3-wheel)

# For the PyTorch weight converters' test only (tests/python/test_torch.py): PyTorch.
# TWINFLOW_TORCH_TESTS=0 leaves it out (and, set when cmake runs, that test is skipped).
[ "${TWINFLOW_TORCH_TESTS:-1}" = 0 ] || packages+=(python3-torch)

# For the HTML viewer's browser test only (ctest viz.browser, tests/viz/browser_test.py):
# headless Chromium driven by Selenium, and Graphviz's dot to draw its test graph.
# TWINFLOW_BROWSER_TESTS=0 leaves them out (and, set when cmake runs, the test too).
browser_test_packages=(chromium chromium-driver python3-selenium graphviz)
[ "${TWINFLOW_BROWSER_TESTS:-1}" = 0 ] || packages+=("${browser_test_packages[@]}")

# For scripts/fuzz.sh: clang builds the libFuzzer targets, libclang-rt has libFuzzer itself.
fuzz_packages=(clang-14 libclang-rt-14-dev)
[ "${1:-}" != --fuzz ] || packages+=("${fuzz_packages[@]}")

# For the ONNX export's test in ONNX Runtime (ctest onnx.runtime, tests/onnx/): node and npm (any
# Node.js already on the PATH will do), and onnxruntime-node, installed below.
# TWINFLOW_ONNX_TESTS=0 leaves them out (and, set when cmake runs, the test too).
onnx_tests=${TWINFLOW_ONNX_TESTS:-1}
if [ "$onnx_tests" != 0 ] && ! { command -v node && command -v npm; } >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# onnxruntime-node as tests/onnx/package-lock.json pins it, into tests/onnx/node_modules, once.
# Its CPU library comes inside the npm package; --ignore-scripts skips the install script, which
# would fetch the CUDA libraries from elsewhere.
if [ "$onnx_tests" != 0 ]; then
  onnx_dir="$(cd "$(dirname "$0")/../tests/onnx" && pwd)"
  wanted=$(node -p "require('$onnx_dir/package.json').dependencies['onnxruntime-node']")
  have=$(node -p "try { require('$onnx_dir/node_modules/onnxruntime-node/package.json').version }
                  catch (e) { '' }")
  if [ "$have" != "$wanted" ]; then
    npm ci --prefix "$onnx_dir" --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
fi
