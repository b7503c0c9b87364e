#!/usr/bin/env python3
"""Reads a safetensors file with numpy alone (no safetensors or torch package needed).

Usage:  read_safetensors.py FILE            one line per tensor: name, dtype, shape, sum, first values
        read_safetensors.py FILE NAME       that tensor's values
As a module:  tensors, metadata = load("model/weights.safetensors")

twinflow writes F32, F64, I32 and I64 (little-endian) with Keras layouts: Dense kernel
[in, out], LSTM kernel [in, 4H] with gates i, f, c, o, Embedding embeddings [V, E].
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8",
          "F16": "<f2", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_size])
    metadata = header.pop("__metadata__", {})
    start = 8 + header_size
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        values = np.frombuffer(data[start + begin:start + end], dtype=DTYPES[entry["dtype"]])
        tensors[name] = values.reshape(entry["shape"])
    return tensors, metadata


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    tensors, metadata = load(argv[1])
    if len(argv) == 3:
        np.set_printoptions(threshold=sys.maxsize, precision=17)
        print(tensors[argv[2]])
        return
    for key, value in metadata.items():
        print(f"metadata {key} = {value}")
    for name, t in tensors.items():
        first = ", ".join(repr(v.item()) for v in t.reshape(-1)[:3])
        print(f"{name}  {t.dtype}  {list(t.shape)}  sum {t.sum(dtype=np.float64)!r}  [{first}]")


if __name__ == "__main__":
    main(sys.argv)
