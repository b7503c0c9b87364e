#!/usr/bin/python3
"""The PyTorch peer of twinflow_bench: the same networks, shapes, flags and JSON line.

--net cosine: nn.Embedding(20000, 100, padding_idx=0) shared by both texts -> nn.LSTM(100, 50,
bidirectional=True, batch_first=True) -> final h of both directions concatenated [B, 100] ->
exp(-(1 - cosine(x1, x2))) -> nn.Linear(1, 1) + sigmoid -> BCELoss.
--net triplet: the same Embedding and BiLSTM -> Linear(100, 64) + relu -> Linear(64, 64) +
sigmoid, shared by anchor, positive and negative -> mean(max(|a-p|^2 - |a-n|^2 + 0.4, 0))
(models/triplet.yaml).
Adam (lr 1e-3, betas 0.9/0.999, eps 1e-7 as in twinflow) over every parameter, the embedding's
dense gradient included. Dropout 0, float32.

--style packed: the tower is called once per input over pack_padded_sequence, so padded steps
are skipped (the same results as twinflow's masking). --style stacked: the inputs are
concatenated along the batch, the tower runs once on plain full-length tensors and its output
is split: PyTorch's fastest way to write a shared tower, which also runs over padding.
--mode embed: one tower on B texts; infer and embed run under eval() and no_grad().

Run with Debian's /usr/bin/python3 (python3-torch); bench/compare.sh sets up OpenBLAS.
"""
import argparse
import json
import os
import re
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

VOCAB, EMBED, UNITS, HIDDEN, EMBEDDING, ALPHA = 20000, 100, 50, 64, 64, 0.4


class Tower(nn.Module):
    """Embedding -> BiLSTM final states [-> Dense(relu) -> Dense(sigmoid)]; `packed` picks how
    padding is treated."""

    def __init__(self, dense, packed):
        super().__init__()
        self.packed = packed
        self.emb = nn.Embedding(VOCAB, EMBED, padding_idx=0)
        self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True, bidirectional=True)
        self.dense = nn.Sequential(nn.Linear(2 * UNITS, HIDDEN), nn.ReLU(),
                                   nn.Linear(HIDDEN, EMBEDDING), nn.Sigmoid()) if dense else None

    def forward(self, ids):
        x = self.emb(ids)
        if self.packed:
            x = pack_padded_sequence(x, (ids != 0).sum(dim=1), batch_first=True,
                                     enforce_sorted=False)
        _, (h, _) = self.lstm(x)  # h [2, B, H], in the batch's order
        v = torch.cat([h[0], h[1]], dim=1)
        return self.dense(v) if self.dense is not None else v

    def encode(self, inputs):
        """The tower's vector of each input: per input when packed, once on the stack if not."""
        if self.packed:
            return [self(ids) for ids in inputs]
        return list(torch.split(self(torch.cat(inputs)), inputs[0].shape[0]))


class CosineSiamese(nn.Module):
    def __init__(self, packed):
        super().__init__()
        self.tower = Tower(dense=False, packed=packed)
        self.head = nn.Linear(1, 1)
        self.bce = nn.BCELoss()

    def forward(self, left, right, label):
        x1, x2 = self.tower.encode([left, right])
        dist = torch.exp(-(1 - F.cosine_similarity(x1, x2, dim=1))).unsqueeze(1)
        return self.bce(torch.sigmoid(self.head(dist)), label)


class ConcatenatedTriplet(nn.Module):
    def __init__(self, packed):
        super().__init__()
        self.tower = Tower(dense=True, packed=packed)

    def forward(self, anchor, positive, negative):
        a, p, n = self.tower.encode([anchor, positive, negative])
        margin = ((a - p) ** 2).sum(-1) - ((a - n) ** 2).sum(-1) + ALPHA
        return torch.clamp(margin, min=0).mean()


def random_lengths(batch, seqlen, state):
    """Lengths in [T/3, T] from splitmix64, as twinflow_bench draws them."""
    mask = (1 << 64) - 1
    shortest = seqlen // 3
    lengths = []
    for _ in range(batch):
        state[0] = (state[0] + 0x9E3779B97F4A7C15) & mask
        z = state[0]
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        lengths.append(shortest + z % (seqlen - shortest + 1))
    return torch.tensor(lengths)


def random_ids(args, state, gen):
    ids = torch.randint(1, VOCAB, (args.batch, args.seqlen), generator=gen)
    if args.lengths == "full":
        return ids
    steps = torch.arange(args.seqlen).unsqueeze(0)
    lengths = random_lengths(args.batch, args.seqlen, state).unsqueeze(1)
    return torch.where(steps < lengths, ids, torch.zeros_like(ids))


def lstm_forward_flops(tokens):
    """GEMM flops of one LSTM direction's forward pass over `tokens` real steps."""
    return 2 * tokens * EMBED * 4 * UNITS + 2 * tokens * UNITS * 4 * UNITS


def run_steps(args, step):
    """Runs step() warmup times, then until it ran args.steps times and args.seconds long.
    step() returns its phases (fwd, bwd, opt) in seconds; the whole step is timed here."""
    for _ in range(args.warmup):
        step()
    times = {"step": [], "fwd": [], "bwd": [], "opt": []}
    start = time.perf_counter()
    while len(times["step"]) < args.steps or time.perf_counter() - start < args.seconds:
        t0 = time.perf_counter()
        fwd, bwd, opt = step()
        times["step"].append(time.perf_counter() - t0)
        times["fwd"].append(fwd)
        times["bwd"].append(bwd)
        times["opt"].append(opt)
    return times


def bench(args):
    gen = torch.Generator().manual_seed(2024)
    state = [2024]
    n_inputs = 1 if args.mode == "embed" else {"cosine": 2, "triplet": 3}[args.net]
    inputs = [random_ids(args, state, gen) for _ in range(n_inputs)]
    real_tokens = sum(int((ids != 0).sum()) for ids in inputs)
    packed = args.style == "packed"
    model = CosineSiamese(packed) if args.net == "cosine" else ConcatenatedTriplet(packed)
    if args.net == "cosine" and args.mode != "embed":
        inputs.append(torch.randint(0, 2, (args.batch, 1), generator=gen).float())
    result = []

    if args.mode == "train":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
        model.train()

        def step():
            t0 = time.perf_counter()
            opt.zero_grad()
            t1 = time.perf_counter()
            loss = model(*inputs)
            t2 = time.perf_counter()
            loss.backward()
            t3 = time.perf_counter()
            opt.step()
            t4 = time.perf_counter()
            result[:] = [loss]
            return t2 - t1, t3 - t2, (t1 - t0) + (t4 - t3)
    else:
        model.eval()
        run = model.tower if args.mode == "embed" else model

        def step():
            t0 = time.perf_counter()
            with torch.no_grad():
                result[:] = [run(*inputs)]
            return time.perf_counter() - t0, 0.0, 0.0

    times = run_steps(args, step)
    if not torch.isfinite(result[0]).all():
        raise RuntimeError(f"the result holds non-finite values: {result[0]}")
    step_s = statistics.median(times["step"])
    flops = 2 * lstm_forward_flops(real_tokens) * (3 if args.mode == "train" else 1)
    return {
        "impl": "pytorch", "style": args.style, "net": args.net, "mode": args.mode,
        "batch": args.batch, "seqlen": args.seqlen, "lengths": args.lengths,
        "threads": args.threads, "steps": len(times["step"]),
        "samples_per_s": args.batch / step_s, "ms_per_step": 1e3 * step_s,
        "fwd_ms": 1e3 * statistics.median(times["fwd"]),
        "bwd_ms": 1e3 * statistics.median(times["bwd"]),
        "opt_ms": 1e3 * statistics.median(times["opt"]),
        "lstm_gflops": flops / step_s / 1e9, "real_tokens": real_tokens,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpu": cpu_model(),
    }


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def loaded_blas():
    """The BLAS/LAPACK shared objects this process really mapped."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line or "lapack" in line}
    return sorted(p for p in paths if p.startswith("/"))


def matmul_gflops():
    a, b = torch.randn(1000, 1000), torch.randn(1000, 1000)
    for _ in range(3):
        a @ b
    best = float("inf")
    for _ in range(10):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2e9 / best / 1e9


def report_config(out):
    """What this torch process runs on: threads, BLAS build and library, a timed matmul."""
    parallel = [l.strip() for l in torch.__config__.parallel_info().splitlines()
                if "threads" in l or "backend" in l]
    blas_info = re.findall(r"(?:BLAS|LAPACK)_INFO=\w+", torch.__config__.show())
    print(f"torch {torch.__version__}; {'; '.join(parallel)}", file=out)
    print(f"torch build: {', '.join(blas_info)} (calls libblas.so.3)", file=out)
    env = {k: os.environ.get(k, "unset") for k in
           ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    print("env: " + ", ".join(f"{k}={v}" for k, v in env.items()), file=out)
    gflops = matmul_gflops()
    print(f"1000x1000 float32 matmul: {gflops:.1f} GFLOP/s", file=out)
    blas = loaded_blas()
    print("BLAS loaded: " + (", ".join(blas) or "none found in /proc/self/maps"), file=out)
    if any("/blas/" in p for p in blas):
        print("WARNING: torch runs on the reference BLAS (slow); select OpenBLAS with "
              "update-alternatives (see bench/compare.sh)", file=out)
    elif gflops < 60:
        print("WARNING: slow matmul: OpenBLAS may be on its generic kernels (set "
              "OPENBLAS_CORETYPE=SkylakeX on an AVX-512 CPU it does not recognise)", file=out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--net", choices=("cosine", "triplet"), default="cosine")
    parser.add_argument("--mode", choices=("train", "infer", "embed"), default="train")
    parser.add_argument("--style", choices=("packed", "stacked"), default="packed")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seqlen", type=int, default=30)
    parser.add_argument("--lengths", choices=("full", "random"), default="full")
    parser.add_argument("--threads", type=int, choices=(1, 2), default=2,
                        help="torch intra-op threads")
    parser.add_argument("--steps", type=int, default=20, help="at least this many timed steps")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--seconds", type=float, default=0, help="and at least this long")
    parser.add_argument("--report", action="store_true",
                        help="first print torch's threads, BLAS and a matmul rate to stderr")
    args = parser.parse_args()
    if args.batch < 1 or args.seqlen < 3 or args.steps < 1 or args.warmup < 0:
        parser.error("need --batch >= 1, --seqlen >= 3, --steps >= 1, --warmup >= 0")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.report:
        report_config(sys.stderr)
    print(json.dumps(bench(args)))


if __name__ == "__main__":
    main()
