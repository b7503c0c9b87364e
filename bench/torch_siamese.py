#!/usr/bin/python3
"""The PyTorch peer of twinflow_bench: the same rows, shapes, repetition scheme and output.

Cosine Siamese network: nn.Embedding(20000, 100, padding_idx=0) shared by both branches ->
nn.LSTM(100, 50, bidirectional=True, batch_first=True) over pack_padded_sequence (so padded
steps are skipped, as twinflow's masking does) -> final h of both directions concatenated
[B, 100] -> exp(-(1 - cosine(x1, x2))) -> nn.Linear(1, 1) + sigmoid -> BCELoss; Adam
(lr 1e-3, betas 0.9/0.999, eps 1e-7 as in twinflow). Batch 64, seq_len 30, dropout 0, random
ids in [1, 20000) with random lengths in [10, 30] (the same lengths as twinflow_bench's) and
post-padding. float32.

Rows (see bench/siamese_bench.cc): train_step (zero_grad + forward + backward + Adam) and its
phases step.forward / step.backward / step.optimizer (zero_grad + Adam), forward (eval mode,
no_grad), bilstm (nn.LSTM alone on x [64, 30, 100], forward + backward wrt x and weights),
bilstm_masked and bilstm_masked_right (the same on packed sequences with the Siamese
branches' lengths). Run with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

BATCH, SEQ_LEN, MIN_LEN, VOCAB, EMBED, UNITS = 64, 30, 10, 20000, 100, 50


class CosineSiamese(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMBED, padding_idx=0)
        self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True, bidirectional=True)
        self.head = nn.Linear(1, 1)

    def encode(self, ids):
        lengths = (ids != 0).sum(dim=1)
        packed = pack_padded_sequence(self.emb(ids), lengths, batch_first=True,
                                      enforce_sorted=False)
        _, (h, _) = self.lstm(packed)  # h [2, B, H], back in the batch's order
        return torch.cat([h[0], h[1]], dim=1)

    def forward(self, left, right):
        x1, x2 = self.encode(left), self.encode(right)
        dist = torch.exp(-(1 - F.cosine_similarity(x1, x2, dim=1))).unsqueeze(1)
        return torch.sigmoid(self.head(dist))


def random_lengths(state):
    """Lengths in [MIN_LEN, SEQ_LEN] from splitmix64, as twinflow_bench draws them."""
    mask = (1 << 64) - 1
    lengths = []
    for _ in range(BATCH):
        state[0] = (state[0] + 0x9E3779B97F4A7C15) & mask
        z = state[0]
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        lengths.append(MIN_LEN + z % (SEQ_LEN - MIN_LEN + 1))
    return torch.tensor(lengths)


def random_ids(lengths, gen):
    ids = torch.randint(1, VOCAB, (BATCH, SEQ_LEN), generator=gen)
    steps = torch.arange(SEQ_LEN).unsqueeze(0)
    return torch.where(steps < lengths.unsqueeze(1), ids, torch.zeros_like(ids))


def bilstm_flops(tokens):
    """Forward + backward GEMM flops of a bidirectional LSTM over `tokens` real steps."""
    per_direction = 2 * tokens * EMBED * 4 * UNITS + 2 * tokens * UNITS * 4 * UNITS
    return 3 * 2 * per_direction


def repeat(args, body):
    for _ in range(args.warmup):
        body(False)
    for _ in range(args.reps):
        body(True)


def bench_siamese(args, left, right, label):
    model = CosineSiamese()
    loss_fn = nn.BCELoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    rows = {k: [] for k in ("train_step", "step.forward", "step.backward", "step.optimizer")}

    def step(timed):
        t0 = time.perf_counter()
        opt.zero_grad()
        t1 = time.perf_counter()
        loss = loss_fn(model(left, right), label)
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        opt.step()
        t4 = time.perf_counter()
        if timed:
            rows["train_step"].append(t4 - t0)
            rows["step.forward"].append(t2 - t1)
            rows["step.backward"].append(t3 - t2)
            rows["step.optimizer"].append((t1 - t0) + (t4 - t3))

    model.train()
    repeat(args, step)
    loss = loss_fn(model(left, right), label)
    if not torch.isfinite(loss):
        raise RuntimeError(f"the loss is {loss.item()}")
    rows["forward"] = []

    def infer(timed):
        t0 = time.perf_counter()
        with torch.no_grad():
            model(left, right)
        if timed:
            rows["forward"].append(time.perf_counter() - t0)

    model.eval()
    repeat(args, infer)
    return [(name, samples, 0) for name, samples in rows.items()]


def bench_bilstm(args, name, ids, gen):
    lstm = nn.LSTM(EMBED, UNITS, batch_first=True, bidirectional=True)
    x = (0.5 * torch.randn(BATCH, SEQ_LEN, EMBED, generator=gen)).requires_grad_()
    dy = torch.randn(BATCH, 2 * UNITS, generator=gen)
    lengths = None if ids is None else (ids != 0).sum(dim=1)
    samples = []

    def body(timed):
        t0 = time.perf_counter()
        inp = x if lengths is None else pack_padded_sequence(x, lengths, batch_first=True,
                                                             enforce_sorted=False)
        _, (h, _) = lstm(inp)
        torch.cat([h[0], h[1]], dim=1).backward(dy)  # gradients accumulate, as in twinflow
        if timed:
            samples.append(time.perf_counter() - t0)

    repeat(args, body)
    tokens = BATCH * SEQ_LEN if ids is None else int(lengths.sum())
    return [(name, samples, bilstm_flops(tokens))]


def loaded_blas():
    """The BLAS/LAPACK shared objects this process really mapped."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line or "lapack" in line}
    return sorted(p for p in paths if p.startswith("/"))


def matmul_gflops():
    a, b = torch.randn(1000, 1000), torch.randn(1000, 1000)
    for _ in range(3):
        a @ b
    best = min(timed_call(lambda: a @ b) for _ in range(10))
    return 2e9 / best / 1e9


def timed_call(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def report_config(out):
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
              "update-alternatives (see bench/run.sh)", file=out)
    elif gflops < 60:
        print("WARNING: slow matmul: OpenBLAS may be on its generic kernels (set "
              "OPENBLAS_CORETYPE=SkylakeX on an AVX-512 CPU it does not recognise)", file=out)
    return gflops


def print_rows(args, rows, out):
    if args.json:
        for name, samples, flops in rows:
            med = statistics.median(samples)
            print(json.dumps({"impl": "pytorch", "name": name, "median_ms": round(med * 1e3, 4),
                              "min_ms": round(min(samples) * 1e3, 4), "reps": args.reps,
                              "warmup": args.warmup,
                              "lstm_gflops": round(flops / med / 1e9, 3) if flops else None,
                              "threads": args.threads}), file=out)
        return
    print(f"\n{'measurement':<20} {'median ms':>11} {'min ms':>11} {'LSTM GFLOP/s':>14}", file=out)
    for name, samples, flops in rows:
        med = statistics.median(samples)
        gflops = f"{flops / med / 1e9:.1f}" if flops else ""
        print(f"{name:<20} {med * 1e3:>11.3f} {min(samples) * 1e3:>11.3f} {gflops:>14}", file=out)
    step = statistics.median(dict((n, s) for n, s, _ in rows)["train_step"])
    lstm = sum(statistics.median(s) for n, s, _ in rows if n.startswith("bilstm_masked"))
    print(f"\nBiLSTM forward+backward of both branches (alone): {lstm * 1e3:.3f} ms = "
          f"{100 * lstm / step:.0f}% of train_step; everything else ≈ "
          f"{(step - lstm) * 1e3:.3f} ms", file=out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    # The configuration goes to stderr with --json so that stdout holds only the rows.
    report_config(sys.stderr if args.json else sys.stdout)
    gen = torch.Generator().manual_seed(2024)
    state = [2024]
    left = random_ids(random_lengths(state), gen)
    right = random_ids(random_lengths(state), gen)
    label = torch.randint(0, 2, (BATCH, 1), generator=gen).float()
    if not args.json:
        print(f"pytorch float32, batch {BATCH}, seq_len {SEQ_LEN}, vocab {VOCAB}, embed {EMBED}, "
              f"BiLSTM({UNITS}) concat, dropout 0; {args.warmup} warm-up + {args.reps} timed "
              f"reps; {args.threads} intra-op threads")
        print(f"real tokens: left {int((left != 0).sum())}, right {int((right != 0).sum())} "
              f"of {BATCH * SEQ_LEN}")
    rows = bench_siamese(args, left, right, label)
    rows += bench_bilstm(args, "bilstm", None, gen)
    rows += bench_bilstm(args, "bilstm_masked", left, gen)
    rows += bench_bilstm(args, "bilstm_masked_right", right, gen)
    print_rows(args, rows, sys.stdout)


if __name__ == "__main__":
    main()
