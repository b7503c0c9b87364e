#!/usr/bin/env bash
# bench/mpi_scaling.sh — training throughput of the cosine Siamese network on this machine: one
# process on two cores, one process on one core, and mpirun -np 2 (one core each, the gradients
# summed over the processes every step); then the time of one gradient sum by size
# (twinflow_allreduce_bench). Prints the CPU model, pairs/s from each run's first epoch
# (log.jsonl "seconds": training steps only) and the sums' JSON lines. docs/scaling.md projects
# from these figures. Environment: BUILD_DIR (build), EPOCHS (1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
epochs=${EPOCHS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpirun=(mpirun --allow-run-as-root --bind-to core)
spec=$root/models/cosine_siamese.yaml
rows=$(($(wc -l <"$root/data/pairs_train.tsv") - 1))

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p')"
throughput() {  # label, command...
  local label=$1 out=$work/$2
  shift 2
  "$@" train "$spec" --epochs "$epochs" --out "$out" --overwrite --quiet >/dev/null
  python3 -c "import json,sys; e=json.loads(open(sys.argv[1]).readline()); \
print(f'{sys.argv[2]:<38} {int(sys.argv[3])/e[\"seconds\"]:8.0f} pairs/s  ({e[\"seconds\"]:.2f} s)')" \
    "$out/log.jsonl" "$label" "$rows"
}
throughput "1 process, 2 cores" one "$build/twinflow"
throughput "1 process bound to 1 core (mpirun -np 1)" np1 "${mpirun[@]}" -np 1 "$build/twinflow"
throughput "2 processes, 1 core each (mpirun -np 2)" np2 "${mpirun[@]}" -np 2 "$build/twinflow"
echo "gradient sum over 2 processes, by size:"
"${mpirun[@]}" -np 2 "$build/twinflow_allreduce_bench"
