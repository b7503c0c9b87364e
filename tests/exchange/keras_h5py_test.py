#!/usr/bin/env python3
"""Keras 2 weight files written by h5py, as Keras writes them, read by `twinflow import-weights`.

    python3 tests/exchange/keras_h5py_test.py TWINFLOW OUT_DIR

Writes two files of random weights for a small model (Embedding, Bidirectional LSTM, Dense) the
way Keras 2's save_weights() and save() lay them out: bytes attributes layer_names, backend and
keras_version; a group per layer, the input layer's with an empty weight_names (numpy writes an
empty float array); datasets named by the weight names. The second file nests the layers in a
Sequential model, under /model_weights as save() does. Each is imported and every value read
back (numpy alone) must equal the value written, exactly.
"""
import json
import pathlib
import subprocess
import sys

import h5py
import numpy as np

SPEC = """model: keras_check
inputs:
  ids: {shape: [6], dtype: int32}
layers:
  emb: {op: Embedding, vocab: 20, dim: 4, mask_zero: true}
  bilstm: {op: Bidirectional, layer: {op: LSTM, units: 3}}
  out: {op: Dense, units: 2, activation: tanh}
graph:
  vec: out(bilstm(emb(ids)))
outputs: [vec]
"""


def weights(rng):
    """Keras weight name -> value, in each layer's Keras order; twinflow name alongside."""
    shapes = [("emb", "emb/embeddings:0", "emb.embeddings", (20, 4))]
    for direction in ("forward", "backward"):
        for kind, shape in (("kernel", (4, 12)), ("recurrent_kernel", (3, 12)), ("bias", (12,))):
            shapes.append(("bilstm", f"bilstm/{direction}_lstm/lstm_cell/{kind}:0",
                           f"bilstm.{direction}.{kind}", shape))
    shapes += [("out", "out/kernel:0", "out.kernel", (6, 2)), ("out", "out/bias:0", "out.bias", (2,))]
    return [(layer, keras, ours, rng.standard_normal(shape).astype(np.float32))
            for layer, keras, ours, shape in shapes]


def save_attributes(group, name, items):
    """keras.saving.hdf5_format.save_attributes_to_hdf5_group, for short lists."""
    group.attrs[name] = np.asarray(items)


def write_save_weights(path, ws):
    with h5py.File(path, "w") as f:
        layers = ["ids", "emb", "bilstm", "out"]
        save_attributes(f, "layer_names", [n.encode("utf8") for n in layers])
        f.attrs["backend"] = "tensorflow".encode("utf8")
        f.attrs["keras_version"] = "2.11.0".encode("utf8")
        for layer in sorted(layers):
            g = f.create_group(layer)
            mine = [(k, v) for owner, k, _, v in ws if owner == layer]
            save_attributes(g, "weight_names", [k.encode("utf8") for k, _ in mine])
            for k, v in mine:
                g.create_dataset(k.encode("utf8"), v.shape, dtype=v.dtype)[...] = v


def write_save_nested(path, ws):
    with h5py.File(path, "w") as f:
        root = f.create_group("model_weights")
        save_attributes(root, "layer_names", [b"ids", b"encoder"])
        root.attrs["backend"] = b"tensorflow"
        save_attributes(root.create_group("ids"), "weight_names", [])
        g = root.create_group("encoder")
        save_attributes(g, "weight_names", [k.encode("utf8") for _, k, _, _ in ws])
        for _, k, _, v in ws:
            g.create_dataset(k, data=v)


def read_safetensors(path):
    data = pathlib.Path(path).read_bytes()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = {"F32": np.float32, "F64": np.float64}[info["dtype"]]
        out[name] = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=dtype).reshape(info["shape"])
    return out


def main():
    twinflow, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    (out / "spec.yaml").write_text(SPEC)
    ws = weights(np.random.default_rng(5))
    passed = failed = 0
    for label, writer in (("save_weights", write_save_weights), ("save, nested", write_save_nested)):
        h5 = out / f"{label.split(',')[0]}.h5"
        writer(h5, ws)
        result = out / "imported.safetensors"
        run = subprocess.run([twinflow, "import-weights", str(out / "spec.yaml"), str(h5), "-o",
                              str(result)], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{label}: import failed: {run.stderr.strip()}")
            failed += 1
            continue
        got = read_safetensors(result)
        wrong = [ours for _, _, ours, v in ws if not np.array_equal(got[ours], v)]
        if wrong or len(got) != len(ws):
            print(f"{label}: values differ: {wrong or sorted(got)}")
            failed += 1
        else:
            print(f"{label}: {len(ws)} weights read back exactly")
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
