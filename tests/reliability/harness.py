"""What the reliability tests share: a small float64 run of the cosine Siamese network, the
command line that trains it, and the checks that a run directory is whole.

A run directory is whole when state.json names a checkpoint holding its three files and
`twinflow eval` loads the model; two runs are the same when their last checkpoint's weights and
their weights.safetensors are equal byte for byte (float64 training repeats bit for bit).
"""

import json
import pathlib
import shutil
import subprocess
import time

SPEC = """model: reliability_pairs
inputs:
  left:  {shape: [10], dtype: int32}
  right: {shape: [10], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb: {op: Embedding, vocab: 2000, dim: 8, mask_zero: true,
        embeddings_initializer: {name: random_normal, stddev: 0.5}}
  lstm: {op: Bidirectional, layer: {op: LSTM, units: UNITS, dropout: DROPOUT}}
  similarity: {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head: {op: Dense, units: 1, activation: sigmoid, kernel_initializer: ones}
graph:
  x1: lstm(emb(left))
  x2: lstm(emb(right))
  pred: head(similarity(x1, x2))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train:
  optimizer: {name: adam, lr: 0.01}
  batch_size: BATCH
  epochs: EPOCHS
  seed: 9
  data: train.tsv
  val: val.tsv
"""


def head(path, rows):
    with open(path, encoding="utf-8") as f:
        return "".join(line for _, line in zip(range(rows + 1), f))


class SmallRun:
    """A spec and its data in `work`; train() runs `twinflow train` on them in float64."""

    def __init__(self, twinflow, source, work, epochs, train_rows=96, val_rows=32, units=8,
                 batch_size=16, dropout=0.0):
        self.twinflow = twinflow
        self.work = pathlib.Path(work)
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        (self.work / "train.tsv").write_text(head(pathlib.Path(source) / "data/pairs_train.tsv",
                                                  train_rows), encoding="utf-8")
        (self.work / "val.tsv").write_text(head(pathlib.Path(source) / "data/pairs_val.tsv",
                                                val_rows), encoding="utf-8")
        self.spec = self.work / "spec.yaml"
        spec = SPEC.replace("EPOCHS", str(epochs)).replace("UNITS", str(units))
        spec = spec.replace("DROPOUT", str(dropout))
        self.spec.write_text(spec.replace("BATCH", str(batch_size)), encoding="utf-8")

    def command(self, out, resume=False, extra=()):
        where = ["--resume", str(out)] if resume else ["--out", str(out), "--overwrite"]
        return [self.twinflow, "train", str(self.spec), "--dtype", "float64", "--quiet",
                *where, *extra]

    def train(self, out, resume=False, extra=()):
        """Runs to the end; returns the CompletedProcess (text)."""
        return subprocess.run(self.command(out, resume, extra), capture_output=True, text=True,
                              timeout=600)

    def start(self, out, resume=False, extra=()):
        return subprocess.Popen(self.command(out, resume, extra), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def timed_reference(self, out):
        """The uninterrupted run, and how long it took in seconds."""
        started = time.monotonic()
        done = self.train(out)
        check(done.returncode == 0, f"the uninterrupted run failed:\n{done.stderr}")
        return time.monotonic() - started


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def state_of(run_dir):
    return json.loads((pathlib.Path(run_dir) / "state.json").read_text(encoding="utf-8"))


def check_whole(run, run_dir):
    """state.json names a complete checkpoint and the model loads for use."""
    run_dir = pathlib.Path(run_dir)
    state = state_of(run_dir)
    checkpoint = run_dir / state["checkpoint"]
    for name in ("last.safetensors", "best.safetensors", "optimizer.safetensors"):
        check((checkpoint / name).is_file(), f"{checkpoint / name} is missing")
    used = subprocess.run([run.twinflow, "eval", str(run_dir), "--data",
                           str(run.work / "val.tsv"), "--json"],
                          capture_output=True, text=True, timeout=120)
    check(used.returncode == 0, f"eval of {run_dir} failed:\n{used.stderr}")


def check_same(run_dir, reference_dir):
    run_dir, reference_dir = pathlib.Path(run_dir), pathlib.Path(reference_dir)
    ours, theirs = state_of(run_dir), state_of(reference_dir)
    check(ours["step"] == theirs["step"] and ours["epoch"] == theirs["epoch"],
          f"{run_dir} ended at epoch {ours['epoch']} step {ours['step']}, the uninterrupted run "
          f"at epoch {theirs['epoch']} step {theirs['step']}")
    pairs = [(run_dir / ours["checkpoint"] / "last.safetensors",
              reference_dir / theirs["checkpoint"] / "last.safetensors"),
             (run_dir / "weights.safetensors", reference_dir / "weights.safetensors")]
    for a, b in pairs:
        check(a.read_bytes() == b.read_bytes(), f"{a} differs from {b}")
    check((run_dir / "log.jsonl").read_text().count("\n") ==
          (reference_dir / "log.jsonl").read_text().count("\n"),
          "the logs hold different numbers of epochs")
