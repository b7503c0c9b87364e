#!/usr/bin/env bash
# bench/run.sh — builds twinflow_bench (Release, -march=native unless TWINFLOW_NATIVE=OFF is
# passed through CMAKE_ARGS), runs it and bench/torch_siamese.py back to back on this machine
# and prints, per measurement, twinflow's and PyTorch's median times and their ratio
# (twinflow / PyTorch: below 1 means twinflow is faster).
#
# Two comparisons: both on two threads (twinflow's Bidirectional runs its directions on two
# cores; torch.set_num_threads(2)), then both on one (twinflow_bench --serial, torch 1 thread).
#
# PyTorch is Debian's python3-torch, which calls whatever libblas.so.3 the alternatives system
# selects. The reference BLAS would make it an unfair, many-times-slower peer, so this script
# checks the selection: as root it switches to OpenBLAS (libopenblas0-pthread) with
# `update-alternatives --set`, otherwise it stops (ALLOW_REFERENCE_BLAS=1 runs anyway, marked).
# OpenBLAS 0.3.21 does not recognise recent Xeons (this one: family 6 model 207) and falls back
# to its SSE3 "Prescott" kernels (~25 GFLOP/s); OPENBLAS_CORETYPE=SkylakeX (set here when the
# CPU has AVX-512) selects the AVX-512 ones (100-150 GFLOP/s). OPENBLAS_VERBOSE=2 makes
# OpenBLAS print the core it chose ("Core: SkylakeX") into the report. OpenBLAS gets one
# thread (OPENBLAS_NUM_THREADS=1) so that it does not oversubscribe the cores with torch's
# intra-op threads. A 1000x1000 matmul in torch verifies the result (100-150 GFLOP/s expected
# on one AVX-512 core here; the reference BLAS gives a few).
#
# Environment: REPS (20), WARMUP (3), BUILD_DIR (build-bench), TORCH_PYTHON (/usr/bin/python3:
# Debian's interpreter, which has python3-torch; a pyenv `python3` on PATH does not),
# SINGLE_THREAD (1: also run the one-thread comparison), CMAKE_ARGS (extra cmake flags).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
reps=${REPS:-20}
warmup=${WARMUP:-3}
python=${TORCH_PYTHON:-/usr/bin/python3}
arch_dir=/usr/lib/x86_64-linux-gnu
openblas=$arch_dir/openblas-pthread

check_blas() {
  local name alt current
  for name in libblas.so.3 liblapack.so.3; do
    alt=$name-x86_64-linux-gnu
    current=$(update-alternatives --display "$alt" | sed -n 's/.*link currently points to //p')
    echo "$name -> ${current:-?}"
    [[ $current == "$openblas/"* ]] && continue
    if [[ ! -e $openblas/$name ]]; then
      echo "error: OpenBLAS is not installed: apt-get install libopenblas0-pthread" >&2
      exit 1
    fi
    if [[ $(id -u) -eq 0 ]]; then
      echo "OpenBLAS is not selected for $name: selecting it (update-alternatives --set)"
      update-alternatives --set "$alt" "$openblas/$name"
    elif [[ ${ALLOW_REFERENCE_BLAS:-0} == 1 ]]; then
      echo "WARNING: PyTorch will run on the reference BLAS; its times are not a fair peer"
    else
      echo "error: $name is not OpenBLAS and this is not root; run as root, or" \
        "'sudo update-alternatives --set $alt $openblas/$name', or ALLOW_REFERENCE_BLAS=1" >&2
      exit 1
    fi
  done
}

machine() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
    "g++ $(g++ -dumpversion), $("$python" -c 'import torch; print("torch", torch.__version__)')"
  echo "source: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "($(git -C "$root" status --porcelain -- ops autograd runtime graph 2>/dev/null | wc -l)" \
    "files changed since)"
  echo "load: $(uptime | sed 's/.*load average: //') (1, 5, 15 min)"
  # The load average lags (and counts the previous run); what matters is whether the cores are
  # idle now: sample /proc/stat over one second.
  local busy
  busy=$(cpu_busy_percent)
  echo "CPU busy just before the run: ${busy}%"
  if ((busy > 20)); then
    echo "WARNING: other processes use ${busy}% of the CPU: figures will be noisy, and" \
      "PyTorch's OpenMP threads (spinning) suffer most from oversubscription; re-run when idle"
  fi
}

cpu_busy_percent() {
  local a b
  read -ra a < <(head -1 /proc/stat)
  sleep 1
  read -ra b < <(head -1 /proc/stat)
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  local idle=$((b[4] - a[4] + b[5] - a[5]))
  echo $((total > 0 ? 100 * (total - idle) / total : 0))
}

# Joins the JSON lines of both programs into one table.
compare() {
  "$python" - "$1" "$2" "$3" <<'EOF'
import json, sys
title, tf_path, pt_path = sys.argv[1:]
def load(path):
    return {r["name"]: r for r in map(json.loads, open(path)) if "median_ms" in r}
tf, pt = load(tf_path), load(pt_path)
print(f"\n{title}")
print(f"{'measurement':<20} {'twinflow ms':>12} {'(min)':>9} {'PyTorch ms':>12} {'(min)':>9} "
      f"{'ratio':>7} {'GFLOP/s tf':>11} {'GFLOP/s pt':>11}")
for name, a in tf.items():
    b = pt.get(name)
    if not b:
        continue
    gf = lambda r: f"{r['lstm_gflops']:.1f}" if r.get("lstm_gflops") else ""
    print(f"{name:<20} {a['median_ms']:>12.2f} {a['min_ms']:>9.2f} {b['median_ms']:>12.2f} "
          f"{b['min_ms']:>9.2f} {a['median_ms'] / b['median_ms']:>7.3f} {gf(a):>11} {gf(b):>11}")
EOF
}

read -ra cmake_args <<<"${CMAKE_ARGS:-}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${cmake_args[@]}" >/dev/null
ninja -C "$build" twinflow_bench
check_blas

if grep -qw avx512f /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX}
fi
export OPENBLAS_NUM_THREADS=1

machine
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() {  # name, torch threads, twinflow_bench flags...
  "$build/twinflow_bench" --json --reps "$reps" --warmup "$warmup" "${@:3}" >"$out/$1.tf"
  OPENBLAS_VERBOSE=2 "$python" "$root/bench/torch_siamese.py" --json --reps "$reps" \
    --warmup "$warmup" --threads "$2" >"$out/$1.pt" 2>"$out/$1.cfg"
}

measure two 2
echo
echo "PyTorch configuration (reported by the benchmarked torch process itself):"
sed 's/^/  /' "$out/two.cfg"
gflops=$(sed -n 's/^1000x1000 float32 matmul: \([0-9.]*\).*/\1/p' "$out/two.cfg")
if awk -v g="${gflops:-0}" 'BEGIN { exit !(g < 60) }'; then
  echo "WARNING: torch's matmul reaches only ${gflops:-?} GFLOP/s: it is not running an" \
    "AVX-512 OpenBLAS (expected 100-150 on one core here; OpenBLAS's Prescott fallback gives" \
    "~25, the reference BLAS a few); PyTorch figures are pessimistic"
fi
compare "both on 2 threads ($reps reps, $warmup warm-up; ratio = twinflow / PyTorch)" \
  "$out/two.tf" "$out/two.pt"
if [[ ${SINGLE_THREAD:-1} == 1 ]]; then
  measure one 1 --serial
  compare "both on 1 thread (twinflow_bench --serial, torch.set_num_threads(1))" \
    "$out/one.tf" "$out/one.pt"
fi
echo
echo "load after the runs: $(uptime | sed 's/.*load average: //')"
