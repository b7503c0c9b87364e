#!/usr/bin/env bash
# bench/compare.sh — twinflow against PyTorch, configuration by configuration, on this machine.
#
# Builds twinflow_bench (Release, -march=native unless CMAKE_ARGS says -DTWINFLOW_NATIVE=OFF),
# sets PyTorch up as a fair peer and says how, then for each configuration waits for an idle
# CPU and runs the two programs in rounds ordered A B B A (A = twinflow_bench, B = every
# bench/torch_bench.py variant: packed and stacked, at each thread count tried), each run timing
# at least SECONDS_PER_RUN seconds of steps. A round's ratio is twinflow's samples/s (the mean
# of its two runs) over the faster PyTorch variant's (likewise): the A B B A order cancels a
# drift of the machine's speed within the round. The table gives, per configuration, the median
# samples/s of each program, the median and range of the rounds' ratios, each program's peak
# resident memory, and the LSTM's GEMM rate as a share of the rate the same GEMMs reach alone
# (twinflow_bench --mode gemm at the configuration's B, T and threads).
#
# Fair peer: Debian's python3-torch calls whatever libblas.so.3 the alternatives system selects;
# the reference BLAS would make it many times slower. As root this script selects OpenBLAS
# (libopenblas0-pthread) with update-alternatives; otherwise it stops (ALLOW_REFERENCE_BLAS=1
# runs anyway, marked). OpenBLAS 0.3.21 does not recognise recent CPUs and falls back to SSE3
# kernels; OPENBLAS_CORETYPE=SkylakeX (set when the CPU has AVX-512) selects the AVX-512 ones.
# OPENBLAS_NUM_THREADS=1 keeps OpenBLAS from adding threads to torch's own.
#
# Environment: ROUNDS (5), SECONDS_PER_RUN (3), CONFIGS (names below, space-separated; default
# all), IDLE_TIMEOUT (120 s to wait for an idle CPU, then a warning), BUILD_DIR (build-bench),
# TORCH_PYTHON (/usr/bin/python3, Debian's interpreter with python3-torch), CMAKE_ARGS,
# KEEP (a directory to keep the raw JSON lines in), STACK=1 (also time twinflow with shared-branch
# batching, --stack shared, next to each twinflow run: A A' B B A' A, and report its ratio to
# the unstacked twinflow run by run).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
rounds=${ROUNDS:-5}
seconds=${SECONDS_PER_RUN:-3}
idle_timeout=${IDLE_TIMEOUT:-120}
python=${TORCH_PYTHON:-/usr/bin/python3}
openblas=/usr/lib/x86_64-linux-gnu/openblas-pthread

# name: net mode batch lengths twinflow-threads torch-threads... (T = 30 throughout)
declare -A configs=(
  [cosine-train-128]="cosine train 128 full 1 1"
  [cosine-train-32]="cosine train 32 full 1 1"
  [cosine-train-128-2t]="cosine train 128 full 2 1 2"
  [triplet-train-128]="triplet train 128 full 1 1"
  [cosine-infer-128]="cosine infer 128 full 1 1"
  [cosine-infer-512]="cosine infer 512 full 1 1"
  [cosine-embed-128]="cosine embed 128 full 1 1"
  [cosine-embed-512]="cosine embed 512 full 1 1"
  [cosine-train-64-random-2t]="cosine train 64 random 2 2"
)
order=(cosine-train-128 cosine-train-32 cosine-train-128-2t triplet-train-128 cosine-infer-128
  cosine-infer-512 cosine-embed-128 cosine-embed-512 cosine-train-64-random-2t)
read -ra selected <<<"${CONFIGS:-${order[*]}}"
for name in "${selected[@]}"; do
  if [[ -z ${configs[$name]:-} ]]; then
    echo "error: unknown configuration '$name'; known: ${order[*]}" >&2
    exit 1
  fi
done

check_blas() {
  local name alt current
  for name in libblas.so.3 liblapack.so.3; do
    alt=$name-x86_64-linux-gnu
    current=$(update-alternatives --display "$alt" | sed -n 's/.*link currently points to //p')
    if [[ $current != "$openblas/"* ]]; then
      if [[ ! -e $openblas/$name ]]; then
        echo "error: OpenBLAS is not installed: apt-get install libopenblas0-pthread" >&2
        exit 1
      elif [[ $(id -u) -eq 0 ]]; then
        update-alternatives --quiet --set "$alt" "$openblas/$name"
        current=$openblas/$name
      elif [[ ${ALLOW_REFERENCE_BLAS:-0} == 1 ]]; then
        echo "WARNING: PyTorch runs on the reference BLAS; its figures are not a fair peer"
      else
        echo "error: $name is not OpenBLAS and this is not root; run as root, or" \
          "'sudo update-alternatives --set $alt $openblas/$name', or ALLOW_REFERENCE_BLAS=1" >&2
        exit 1
      fi
    fi
    echo "  $name -> ${current:-?}"
  done
}

cpu_busy_percent() {  # over one second, from /proc/stat
  local a b total=0 i
  read -ra a < <(head -1 /proc/stat)
  sleep 1
  read -ra b < <(head -1 /proc/stat)
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  local idle=$((b[4] - a[4] + b[5] - a[5]))
  echo $((total > 0 ? 100 * (total - idle) / total : 0))
}

# The load average lags; what matters is whether the cores are idle now.
wait_for_idle() {
  local start=$SECONDS busy
  while busy=$(cpu_busy_percent) && ((busy > 10)); do
    if ((SECONDS - start >= idle_timeout)); then
      echo "WARNING: the CPU is still ${busy}% busy after ${idle_timeout} s; measuring anyway" \
        "(figures will be noisy; PyTorch's spinning OpenMP threads suffer most)"
      return
    fi
    sleep 2
  done
}

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
read -ra cmake_args <<<"${CMAKE_ARGS:-}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" \
  "${cmake_args[@]}" >/dev/null
ninja -C "$build" twinflow_bench >/dev/null
bench=$build/twinflow_bench

echo "twinflow against PyTorch, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "CPU: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores" \
  "($(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo no AVX-512))"
echo "twinflow: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "($(git -C "$root" status --porcelain 2>/dev/null | wc -l) files changed since)," \
  "g++ $(g++ -dumpversion), Release"
echo "PyTorch's BLAS (update-alternatives):"
check_blas
if grep -qw avx512f /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX}
fi
export OPENBLAS_NUM_THREADS=1
echo "OpenBLAS: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} (core OpenBLAS reports:" \
  "$(OPENBLAS_VERBOSE=2 "$python" -c 'import torch; torch.ones(64, 64) @ torch.ones(64, 64)' \
    2>&1 | sed -n 's/^Core: //p' | head -1)), OPENBLAS_NUM_THREADS=1;" \
  "torch threads = the configuration's (torch.set_num_threads)"
echo "The torch process itself:"
"$python" "$root/bench/torch_bench.py" --report --batch 2 --seqlen 3 --steps 1 --warmup 0 \
  --threads 1 2>&1 >/dev/null | sed 's/^/  /'
echo "$rounds round(s) of A B B A per configuration, each run >= $seconds s of timed steps"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
results=$out/results.jsonl

# Appends one run's JSON line, tagged with its configuration and round.
record() {  # config round program args...
  local line
  line=$("${@:3}" --seconds "$seconds")
  echo "{\"config\": \"$1\", \"round\": $2, \"run\": $line}" >>"$results"
}

for name in "${selected[@]}"; do
  read -r net mode batch lengths tf_threads torch_threads <<<"${configs[$name]}"
  read -ra torch_threads <<<"$torch_threads"
  shape=(--net "$net" --mode "$mode" --batch "$batch" --seqlen 30 --lengths "$lengths")
  torch_runs=()
  for t in "${torch_threads[@]}"; do
    for style in packed stacked; do torch_runs+=("--style $style --threads $t"); done
  done
  wait_for_idle
  echo "{\"config\": \"$name\", \"gemm\": $("$bench" --mode gemm --batch "$batch" --seqlen 30 \
    --threads "$tf_threads" --seconds 1)}" >>"$results"
  tf_runs=("--stack off")
  [[ ${STACK:-0} == 1 ]] && tf_runs+=("--stack shared")
  for ((r = 1; r <= rounds; ++r)); do
    for run in "${tf_runs[@]}"; do
      read -ra flags <<<"$run"
      record "$name" "$r" "$bench" "${shape[@]}" --threads "$tf_threads" "${flags[@]}"
    done
    for pass in forward backward; do
      runs=("${torch_runs[@]}")
      [[ $pass == backward ]] && mapfile -t runs < <(printf '%s\n' "${torch_runs[@]}" | tac)
      for run in "${runs[@]}"; do
        read -ra flags <<<"$run"
        record "$name" "$r" "$python" "$root/bench/torch_bench.py" "${shape[@]}" "${flags[@]}"
      done
    done
    for ((i = ${#tf_runs[@]} - 1; i >= 0; --i)); do
      read -ra flags <<<"${tf_runs[i]}"
      record "$name" "$r" "$bench" "${shape[@]}" --threads "$tf_threads" "${flags[@]}"
    done
  done
done
[[ -n ${KEEP:-} ]] && mkdir -p "$KEEP" && cp "$results" "$KEEP/"

"$python" - "$results" <<'EOF_PY'
import collections, json, statistics, sys

runs = collections.defaultdict(list)  # (config, variant) -> run records
gemm, configs = {}, []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["config"] not in configs:
        configs.append(r["config"])
    if "gemm" in r:
        gemm[r["config"]] = r["gemm"]
        continue
    run = r["run"]
    if run["impl"] == "twinflow":
        variant = "twinflow" if run.get("stack", "off") == "off" else "twinflow-stacked"
    else:
        variant = f"{run['style']}@{run['threads']}"
    runs[r["config"], variant].append((r["round"], run))

def per_round(config, variant):
    rounds = collections.defaultdict(list)
    for n, run in runs[config, variant]:
        rounds[n].append(run["samples_per_s"])
    return {n: statistics.mean(v) for n, v in rounds.items()}

def median_rate(config, variant):
    return statistics.median(run["samples_per_s"] for _, run in runs[config, variant])

def peak_rss(config, variant):
    return max(run["peak_rss_mb"] for _, run in runs[config, variant])

summary = []  # one row per configuration, printed last
for config in configs:
    variants = [v for c, v in runs if c == config and not v.startswith("twinflow")]
    tf = runs[config, "twinflow"][0][1]
    samples = {"cosine": "pairs", "triplet": "triplets"}[tf["net"]]
    if tf["mode"] == "embed":
        samples = "texts"
    print(f"\n{config}: {tf['net']} {tf['mode']}, B = {tf['batch']}, T = {tf['seqlen']}, "
          f"{tf['lengths']} lengths, twinflow on {tf['threads']} thread(s); {samples}/s")
    # Each style at its best thread count (by median).
    best = {}
    for style in ("packed", "stacked"):
        mine = [v for v in variants if v.startswith(style)]
        if mine:
            best[style] = max(mine, key=lambda v: median_rate(config, v))
    tf_rounds = per_round(config, "twinflow")
    torch_rounds = {v: per_round(config, v) for v in variants}
    ratios = [tf_rounds[n] / max(torch_rounds[v][n] for v in variants) for n in tf_rounds]
    rows = [("twinflow", "twinflow")] + [(f"torch {s} ({v.split('@')[1]} thr)", v)
                                          for s, v in best.items()]
    for label, v in rows:
        print(f"  {label:<24} {median_rate(config, v):>10.1f} {samples}/s   "
              f"peak RSS {peak_rss(config, v):>7.1f} MB")
    faster = max(best.values(), key=lambda v: median_rate(config, v))
    ratio = statistics.median(ratios)
    print(f"  twinflow / fastest torch  {ratio:.2f}x  (range over {len(ratios)} round(s): "
          f"{min(ratios):.2f}-{max(ratios):.2f}; fastest torch by median: {faster})")
    stacked = ""
    if (config, "twinflow-stacked") in runs:
        st_rounds = per_round(config, "twinflow-stacked")
        st = [st_rounds[n] / tf_rounds[n] for n in tf_rounds]
        print(f"  twinflow --stack shared   {median_rate(config, 'twinflow-stacked'):>10.1f} "
              f"{samples}/s   peak RSS {peak_rss(config, 'twinflow-stacked'):>7.1f} MB; "
              f"stacked / unstacked {statistics.median(st):.2f}x "
              f"(range {min(st):.2f}-{max(st):.2f})")
        stacked = f"{statistics.median(st):.2f}x ({min(st):.2f}-{max(st):.2f})"
    share = ""
    g = gemm.get(config)
    if g:
        rate = g["gemm_gflops"] if tf["mode"] == "train" else g["gemm_fwd_gflops"]
        mix = "forward + backward" if tf["mode"] == "train" else "forward"
        lstm = statistics.median(run["lstm_gflops"] for _, run in runs[config, "twinflow"])
        print(f"  LSTM GEMMs: {lstm:.1f} GFLOP/s in the step; the same GEMMs alone "
              f"({mix}, {g['threads']} thread(s)): {rate:.1f} GFLOP/s; LSTM share "
              f"{100 * lstm / rate:.0f} %")
        share = f"{100 * lstm / rate:.0f} %"
    rates = [f"{median_rate(config, best[s]):.0f}" if s in best else "-"
             for s in ("packed", "stacked")]
    summary.append([config, f"{median_rate(config, 'twinflow'):.0f}", *rates, f"{ratio:.2f}x",
                    f"{min(ratios):.2f}-{max(ratios):.2f}",
                    f"{peak_rss(config, 'twinflow'):.0f} / {peak_rss(config, faster):.0f}", share])
    if stacked:
        summary[-1].append(stacked)

header = ["configuration", "twinflow/s", "packed/s", "stacked/s", "ratio", "range",
          "RSS MB tf / pt", "LSTM share"]
if any(len(row) > len(header) for row in summary):
    header.append("tf stacked / tf")
    for row in summary:
        row += ["-"] * (len(header) - len(row))
widths = [max(len(str(row[i])) for row in [header] + summary) for i in range(len(header))]
print("\nSummary (samples/s medians; ratio = twinflow / fastest torch, median of rounds; "
      "RSS of twinflow and of the fastest torch)")
for row in [header] + summary:
    print("  " + "  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                           for i, (c, w) in enumerate(zip(row, widths))))
EOF_PY
