#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang into build-fuzz/ and runs one of them, or
# each in turn, for SECONDS on a working copy of its seed corpus (docs/testing.md, "Fuzzing").
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]
#   scripts/fuzz.sh all SECONDS [libFuzzer options...]
#   TARGET: spec lambda safetensors tsv pretrained model_dir
#
# The working corpus (build-fuzz/fuzz/corpus/TARGET) starts as a copy of
# tests/fuzz/corpus/TARGET and keeps what the fuzzer adds from run to run; the checked-in seeds
# stay as they are. A finding is written to build-fuzz/fuzz/findings/TARGET/ (crash-*, leak-*,
# oom-*, timeout-*) and fails the run; `build-fuzz/fuzz_TARGET FILE` replays it.
# TWINFLOW_FUZZ_BUILD_DIR chooses another build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
all_targets=(spec lambda safetensors tsv pretrained model_dir)
if [ $# -lt 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS [libFuzzer options...]" >&2
  echo "targets: ${all_targets[*]}" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2
if [ "$target" = all ]; then
  targets=("${all_targets[@]}")
elif [[ " ${all_targets[*]} " == *" $target "* ]]; then
  targets=("$target")
else
  echo "scripts/fuzz.sh: unknown target '$target' (targets: ${all_targets[*]} or all)" >&2
  exit 2
fi

build_dir=${TWINFLOW_FUZZ_BUILD_DIR:-build-fuzz}
scripts/install-deps.sh --fuzz
# Portable code (the fuzzers test our parsing, not the CPU's vector units), as a unity build.
CC=clang-14 CXX=clang++-14 TWINFLOW_BUILD_DIR=$build_dir TWINFLOW_BUILD_TYPE=Debug \
  TWINFLOW_TARGETS=twinflow_fuzzers \
  scripts/build.sh -DTWINFLOW_FUZZ=ON -DTWINFLOW_NATIVE=OFF -DCMAKE_UNITY_BUILD=ON

# A sanitizer report is a finding with a stack; UndefinedBehaviorSanitizer stops at the first.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Limits: inputs up to 64 KB; no single allocation over 512 MB and no more than 2 GB in all
# (a reader must allocate in proportion to its input, and a 64 KB file justifies neither); no
# input may take more than 10 s.
limits=(-max_len=65536 -malloc_limit_mb=512 -rss_limit_mb=2048 -timeout=10)

failed=()
for t in "${targets[@]}"; do
  work=$build_dir/fuzz
  corpus=$work/corpus/$t
  findings=$work/findings/$t
  log=$work/logs/$t.log
  mkdir -p "$corpus" "$findings" "$work/logs"
  cp -n tests/fuzz/corpus/"$t"/* "$corpus"/
  dict=()
  case $t in
    spec | model_dir) dict=(-dict=tests/fuzz/yaml.dict) ;;
    lambda) dict=(-dict=tests/fuzz/lambda.dict) ;;
  esac
  echo "== fuzz_$t for $seconds s (log: $log)"
  if "$build_dir/fuzz_$t" "${limits[@]}" "${dict[@]}" -max_total_time="$seconds" \
      -print_final_stats=1 -artifact_prefix="$findings/" "$@" "$corpus" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    corp=$(grep -o 'corp: [0-9/]*[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2 || true)
    echo "fuzz_$t: no findings; ${runs:-?} runs, ${rate:-?} per second; corpus ${corp:-?}" \
      "(inputs/bytes)"
  else
    failed+=("$t")
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*Test unit written|fuzz_)' "$log" |
      head -20 || true
    tail -40 "$log"
    echo "fuzz_$t: FINDING (the input is in $findings/)"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "scripts/fuzz.sh: findings in ${failed[*]}" >&2
  exit 1
fi
