#!/usr/bin/env python3
"""The benchmark programs run at a tiny size and each prints one JSON line with every key the
driver (bench/compare.sh) reads, every number positive and finite. Not a timing test.

twinflow_bench runs once per net x mode (training with lazy_adam and adagrad, training and
inference with --stack shared), and once in --mode gemm. bench/torch_bench.py runs every net x mode once, half of them packed and half
stacked, when /usr/bin/python3 can import torch and TWINFLOW_TORCH_TESTS is not 0. Usage: smoke_test.py TWINFLOW_BENCH SOURCE_DIR
"""

import concurrent.futures
import json
import math
import os
import pathlib
import subprocess
import sys

TINY = ["--batch", "4", "--seqlen", "6", "--steps", "2", "--warmup", "1"]
RUN_KEYS = {"net", "mode", "batch", "seqlen", "lengths", "threads", "steps", "samples_per_s",
            "ms_per_step", "fwd_ms", "bwd_ms", "opt_ms", "lstm_gflops", "peak_rss_mb", "cpu"}
POSITIVE = {"samples_per_s", "ms_per_step", "fwd_ms", "lstm_gflops", "peak_rss_mb"}
GEMM_KEYS = {"gemm_gflops", "gemm_fwd_gflops", "ms_per_step", "peak_rss_mb", "cpu"}
failures = []


def check_line(command, keys, positive, expect):
    """Runs `command` and checks its output is one JSON line with `keys`, the `positive` ones
    positive and finite, the rest of the numbers finite and not negative, and `expect` echoed."""
    name = " ".join(pathlib.Path(c).name if "/" in c else c for c in command)
    done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) != 1:
        failures.append(f"{name}: exit {done.returncode}, {len(lines)} lines\n{done.stdout}"
                        f"{done.stderr}")
        return
    j = json.loads(lines[0])
    problems = [f"no key {k}" for k in sorted(keys - j.keys())]
    for k, v in j.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if not math.isfinite(v) or v < 0 or (k in positive and v <= 0):
                problems.append(f"{k} = {v}")
    problems += [f"{k} = {j.get(k)!r}, not {v!r}" for k, v in expect.items() if j.get(k) != v]
    if problems:
        failures.append(f"{name}: {'; '.join(problems)}\n{lines[0]}")
    else:
        print(f"ok  {name}")


def torch_wanted():
    if os.environ.get("TWINFLOW_TORCH_TESTS") == "0":
        print("skipped torch_bench.py: TWINFLOW_TORCH_TESTS=0")
        return False
    if subprocess.run(["/usr/bin/python3", "-c", "import torch"], capture_output=True).returncode:
        print("skipped torch_bench.py: /usr/bin/python3 cannot import torch")
        return False
    return True


def main():
    bench, source = sys.argv[1], pathlib.Path(sys.argv[2])
    with_torch = torch_wanted()
    jobs = []  # (command, keys, positive, expect)
    for net in ("cosine", "triplet"):
        for mode in ("train", "infer", "embed"):
            flags = ["--net", net, "--mode", mode, *TINY]
            positive = POSITIVE | ({"bwd_ms", "opt_ms"} if mode == "train" else set())
            expect = {"net": net, "mode": mode, "batch": 4, "seqlen": 6}
            # Both thread counts and both kinds of lengths, over the six runs of each program.
            threads = 2 if mode == "train" else 1
            lengths = "random" if net == "cosine" else "full"
            # The row-sparse optimizers in training (the other runs: adam, the default), and
            # shared-branch batching in the runs with more than one tower.
            mine = dict(expect, threads=threads, lengths=lengths)
            extra = []
            if mode != "embed":
                mine["stack"] = "shared"
                extra = ["--stack", "shared"]
            if mode == "train":
                mine["optimizer"] = "lazy_adam" if net == "cosine" else "adagrad"
                extra += ["--optimizer", mine["optimizer"]]
            jobs.append(([bench, *flags, *extra, "--threads", str(threads), "--lengths", lengths],
                         RUN_KEYS, positive, mine))
            if with_torch:
                style = "packed" if (net == "cosine") == (mode != "infer") else "stacked"
                lengths = "random" if style == "packed" else "full"
                jobs.append((["/usr/bin/python3", str(source / "bench/torch_bench.py"), *flags,
                              "--style", style, "--threads", "1", "--lengths", lengths],
                             RUN_KEYS, positive, dict(expect, style=style, lengths=lengths)))
    jobs.append(([bench, "--mode", "gemm", *TINY], GEMM_KEYS, GEMM_KEYS - {"cpu"}, {}))
    # Two at a time: each torch process spends most of its second importing torch.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: check_line(*job), jobs))
    for f in failures:
        print(f"FAILED {f}")
    print(f"{len(jobs) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
