#!/usr/bin/env bash
# Mutation testing: applies each small bug of scripts/mutants.tsv to the working tree, one at a
# time, rebuilds twinflow_tests incrementally and runs the tests. A mutant is killed when a test
# fails (or the run crashes or times out), survives when every test passes. The mutated file is
# restored with `git checkout -- FILE` after each mutant, also on failure or Ctrl-C.
#
#   scripts/mutants.sh [-b BUILD_DIR] [-t SECONDS] [-m MUTANTS_FILE] [NAME_SUBSTRING ...]
#
# BUILD_DIR (default build) must be configured already (scripts/build.sh). Each mutant first runs
# the suites its line names (a quick kill), then, if those pass, every suite. Only mutants whose
# name contains one of the NAME_SUBSTRINGs run when some are given. The files a mutant touches
# must have no uncommitted changes, since restoring them checks them out.
set -uo pipefail
cd "$(dirname "$0")/.."
build_dir=build
timeout_s=900
list=scripts/mutants.tsv
while getopts "b:t:m:" opt; do
  case $opt in
    b) build_dir=$OPTARG ;;
    t) timeout_s=$OPTARG ;;
    m) list=$OPTARG ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
filters=("$@")

current=""
restore() {
  if [[ -n $current ]]; then git checkout -- "$current"; current=""; fi
}
trap 'restore' EXIT
trap 'restore; echo "interrupted" >&2; exit 130' INT TERM

wanted() {
  ((${#filters[@]} == 0)) && return 0
  local f
  for f in "${filters[@]}"; do [[ $1 == *"$f"* ]] && return 0; done
  return 1
}

# Replaces the one occurrence of old by new in file; fails when old is not there exactly once.
apply() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path, encoding="utf-8").read()
if text.count(old) != 1:
    sys.exit(f"{path}: the old text occurs {text.count(old)} times, not once")
open(path, "w", encoding="utf-8").write(text.replace(old, new))
PY
}

tests() {  # exit status of the test binary on the given suite filter
  timeout "$timeout_s" "$build_dir/twinflow_tests" --no-version --abort-after=1 \
    --test-suite="$1" >/dev/null 2>&1
}

killed=0 survived=0 broken=0 total=0
survivors=()
while IFS=$'\t' read -r name file old new first; do
  [[ -z $name || $name == \#* ]] && continue
  wanted "$name" || continue
  if ! git diff --quiet -- "$file"; then
    echo "error: $file has uncommitted changes; commit or stash them first" >&2
    exit 2
  fi
  total=$((total + 1))
  start=$SECONDS
  current=$file
  if ! apply "$file" "$old" "$new"; then
    restore; broken=$((broken + 1)); echo "BROKEN   $name (mutants.tsv is out of date)"; continue
  fi
  if ! ninja -C "$build_dir" twinflow_tests >/dev/null 2>&1; then
    restore; broken=$((broken + 1)); echo "BROKEN   $name (does not compile)"; continue
  fi
  verdict=SURVIVED
  if ! tests "${first:-*}" || ! tests "*"; then verdict=KILLED; fi
  restore
  if [[ $verdict == KILLED ]]; then killed=$((killed + 1)); else
    survived=$((survived + 1)); survivors+=("$name"); fi
  printf '%-9s %s (%ds)\n' "$verdict" "$name" $((SECONDS - start))
done <"$list"

# Leave the build matching the restored sources.
ninja -C "$build_dir" twinflow_tests >/dev/null 2>&1 || echo "warning: rebuild failed" >&2
valid=$((killed + survived))
echo "killed $killed of $valid mutants ($(( valid ? 100 * killed / valid : 0 ))%), $broken broken"
for s in "${survivors[@]}"; do echo "survived: $s"; done
((survived == 0 && broken == 0))
