"""Shared pieces of the Python package's tests: the source tree, the twinflow program, and a
tiny cosine Siamese network (dim 8, LSTM 8, 12 steps) over slices of the demo pairs.

Run by ctest (`python`) with PYTHONPATH at the built package, or by hand:
    PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python
"""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

TINY_SPEC = """\
model: tiny_pairs
inputs:
  left:  {shape: [12], dtype: int32}
  right: {shape: [12], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb: {op: Embedding, vocab: 3000, dim: 8, mask_zero: true,
        embeddings_initializer: {name: random_normal, stddev: 0.5}}
  lstm: {op: LSTM, units: 8}
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
  batch_size: 32
  epochs: 2
  seed: 3
  metrics: [accuracy, auc]
  data: train.tsv
  val: val.tsv
"""


def head_of(source, rows):
    """The header and the first `rows` rows of a data file of the source tree."""
    with open(ROOT / source, encoding="utf-8") as f:
        return "".join(line for _, line in zip(range(rows + 1), f))


class TinyPairs:
    """tiny.yaml with train.tsv (256 demo pairs) and val.tsv (64) beside it."""

    def __init__(self, directory):
        self.dir = directory
        self.train = directory / "train.tsv"
        self.val = directory / "val.tsv"
        self.spec = directory / "tiny.yaml"
        self.train.write_text(head_of("data/pairs_train.tsv", 256), encoding="utf-8")
        self.val.write_text(head_of("data/pairs_val.tsv", 64), encoding="utf-8")
        self.spec.write_text(TINY_SPEC, encoding="utf-8")

    def rows(self, path):
        """The columns of a data file: {"left": [...], "right": [...], "label": [...]}."""
        lines = path.read_text(encoding="utf-8").splitlines()
        names = lines[0].split("\t")
        columns = {name: [] for name in names}
        for line in lines[1:]:
            for name, field in zip(names, line.split("\t")):
                columns[name].append(field)
        columns["label"] = [float(x) for x in columns["label"]]
        return columns


@pytest.fixture
def tiny(tmp_path):
    return TinyPairs(tmp_path)


@pytest.fixture(scope="session")
def program():
    """The twinflow command line built beside the package (ctest passes its path)."""
    path = os.environ.get("TWINFLOW_PROGRAM") or str(ROOT / "build" / "twinflow")
    if not os.path.exists(path):
        pytest.fail(f"the twinflow program is not built at {path} (set TWINFLOW_PROGRAM)")
    return path


@pytest.fixture(scope="session")
def run_twinflow(program):
    def run(*args, check=True):
        done = subprocess.run([program, *map(str, args)], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"twinflow {' '.join(map(str, args))} exited "
                                 f"{done.returncode}:\n{done.stderr}")
        return done
    return run
