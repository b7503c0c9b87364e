#!/usr/bin/env bash
# bench/mpi_scaling.sh — training throughput of the cosine Siamese network on this machine: one
# process on two cores, one process on one core, and mpirun -np 2 (one core each, the gradients
# summed over the processes every step), for the shipped spec (its trainable embedding's gradient
# the processes sum by rows) and for the same spec with a frozen embedding; then the time
# of one gradient sum by size (twinflow_allreduce_bench). Prints the CPU model, pairs/s from each
# run's first epoch (log.jsonl "seconds": training steps only), what -np 2 sent per step, and
# the sums' JSON lines. docs/scaling.md projects from these figures.
# Environment: BUILD_DIR (build), EPOCHS (1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
epochs=${EPOCHS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpirun=(mpirun --allow-run-as-root --bind-to core)
shipped=$root/models/cosine_siamese.yaml
frozen=$work/cosine_frozen_embedding.yaml
sed -e 's/^    mask_zero: true.*/    mask_zero: true\n    trainable: false/' \
  -e "s|\.\./data/|$root/data/|" "$shipped" >"$frozen"
grep -q '^    trainable: false' "$frozen"
rows=$(($(wc -l <"$root/data/pairs_train.tsv") - 1))

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p')"
throughput() {  # label, directory, command...
  local label=$1 out=$work/$2
  shift 2
  "$@" train "$spec" --epochs "$epochs" --out "$out" --overwrite >"$out.log" 2>&1
  python3 -c "import json,sys; e=json.loads(open(sys.argv[1]).readline()); \
print(f'{sys.argv[2]:<38} {int(sys.argv[3])/e[\"seconds\"]:8.0f} pairs/s  ({e[\"seconds\"]:.2f} s)')" \
    "$out/log.jsonl" "$label" "$rows"
  sed -n 's/^.*gradients summed/    gradients summed/p' "$out.log"
}
for spec in "$shipped" "$frozen"; do
  name=$(basename "$spec" .yaml)
  echo "$name:"
  throughput "1 process, 2 cores" "$name-one" "$build/twinflow"
  throughput "1 process bound to 1 core (mpirun -np 1)" "$name-np1" "${mpirun[@]}" -np 1 \
    "$build/twinflow"
  throughput "2 processes, 1 core each (mpirun -np 2)" "$name-np2" "${mpirun[@]}" -np 2 \
    "$build/twinflow"
done
echo "gradient sum over 2 processes, by size:"
"${mpirun[@]}" -np 2 "$build/twinflow_allreduce_bench"
