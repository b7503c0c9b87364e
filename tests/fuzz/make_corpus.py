#!/usr/bin/env python3
"""Writes the seed corpus of the libFuzzer targets: tests/fuzz/corpus/<target>/.

    python3 tests/fuzz/make_corpus.py --twinflow build/twinflow

The seeds show each fuzzer the shape of its format, valid and broken; the fuzzer grows its own
working corpus from them (scripts/fuzz.sh). Specs are the shipped models and the malformed specs
of tests/specs/bad/; Lambda expressions are taken from those and from the Lambda tests; the
saved model directories are written by `twinflow train` (one epoch of two tiny models, float32
with Adam and float64 with centered RMSprop), so they are exactly what the project writes, and
their weights and optimizer states are safetensors seeds too. Everything else is written here.
Multi-file seeds are packed as tests/fuzz/fuzz_input.h says.
"""
import argparse
import json
import pathlib
import re
import shutil
import struct
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
SEPARATOR = b"\n--8<-- twinflow part --8<--\n"
MODEL_DIR_FILES = ["spec.yaml", "vocab.txt", "weights.safetensors", "state.json",
                   "optimizer.safetensors", "log.jsonl"]


def write(target, name, content):
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())


def pack(parts):
    return SEPARATOR.join(p if isinstance(p, bytes) else p.encode() for p in parts)


# --- specs -----------------------------------------------------------------------------------

def spec_files():
    return sorted(ROOT.glob("models/*.yaml")) + sorted(ROOT.glob("tests/specs/bad/*.yaml"))


def nested_sequentials(depth):
    """Ten Dense calls per Sequential, ten Sequentials per level: 10^depth nodes."""
    lines = ["model: nested", "inputs: {x: {shape: [3]}}", "layers:", "  d: {op: Dense, units: 3}"]
    for k in range(depth):
        inner = "d" if k == 0 else f"t{k - 1}"
        lines.append(f"  t{k}: {{op: Sequential, layers: [{', '.join([inner] * 10)}]}}")
    lines += ["graph:", f"  y: t{depth - 1}(x)", "outputs: [y]"]
    return "\n".join(lines) + "\n"


def spec_seeds():
    for path in spec_files():
        prefix = "bad_" if path.parent.name == "bad" else "model_"
        write("spec", prefix + path.name, path.read_bytes())
    # Nested Sequentials multiply their calls: 1,000 nodes, and 100,000 (over the limit).
    write("spec", "nested_sequentials_3.yaml", nested_sequentials(3))
    write("spec", "nested_sequentials_5.yaml", nested_sequentials(5))


# --- Lambda expressions ----------------------------------------------------------------------

EXPRESSION = re.compile(r"^[A-Za-z0-9_ ().,+\-*/=]+$")


def expression_seeds():
    found = set()
    for path in spec_files():
        for m in re.finditer(r'expr:\s*"([^"\n]*)"|expr:\s*([A-Za-z_][\w]*)', path.read_text()):
            found.add(m.group(1) or m.group(2))
    for test in ["tests/graph/lambda_test.cc", "tests/graph/expr_test.cc"]:
        for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', (ROOT / test).read_text()):
            if EXPRESSION.match(literal) and re.search(r"[(+\-*/]", literal):
                found.add(literal)
    for i, text in enumerate(sorted(found)):
        write("lambda", f"expr_{i:03d}.txt", text)


# --- safetensors -----------------------------------------------------------------------------

FORMATS = {"F32": "f", "F64": "d", "I32": "i", "I64": "q"}


def safetensors(tensors, metadata=None, header_override=None):
    """tensors: {name: (dtype, shape, values)} -> the file's bytes, tensors in name order."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, values = tensors[name]
        raw = struct.pack("<%d%s" % (len(values), FORMATS[dtype]), *values)
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = header_override if header_override is not None else json.dumps(header)
    text += " " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


def small_model(dtype):
    return {"head.kernel": (dtype, [3, 2], [0.5, -1.0, 0.25, 2.0, -0.125, 1.5]),
            "head.bias": (dtype, [2], [0.1, -0.2]),
            "emb.embeddings": (dtype, [4, 3], [0.01 * i for i in range(12)])}


def safetensors_seeds():
    good = safetensors(small_model("F32"), {"format": "pt", "note": "small model"})
    write("safetensors", "small_model_f32.safetensors", good)
    write("safetensors", "small_model_f64.safetensors", safetensors(small_model("F64")))
    write("safetensors", "integers.safetensors",
          safetensors({"ids": ("I32", [2, 2], [1, -2, 3, 2147483647]),
                       "big": ("I64", [3], [1, -(2**40), 2**62])}))
    write("safetensors", "empty_and_scalar.safetensors",
          safetensors({"none": ("F32", [0, 5], []), "scalar": ("F64", [], [3.5])}))
    write("safetensors", "no_tensors.safetensors", safetensors({}, {"only": "metadata"}))
    write("safetensors", "truncated.safetensors", good[: len(good) - 7])
    write("safetensors", "header_too_long.safetensors", struct.pack("<Q", 1 << 40) + good[8:])
    write("safetensors", "not_json.safetensors", safetensors({}, header_override='{"a": [1, 2'))
    dup = '{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, ' \
          '"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}'
    write("safetensors", "duplicate_key.safetensors",
          safetensors({}, header_override=dup) + struct.pack("<f", 1.0))
    overlap = json.dumps({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                          "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})
    write("safetensors", "overlap.safetensors",
          safetensors({}, header_override=overlap) + bytes(12))
    gap = json.dumps({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})
    write("safetensors", "gap.safetensors", safetensors({}, header_override=gap) + bytes(8))
    f16 = json.dumps({"h": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}})
    write("safetensors", "f16.safetensors", safetensors({}, header_override=f16) + bytes(4))
    huge = json.dumps({"h": {"dtype": "F64", "shape": [4294967296, 4294967296, 0],
                             "data_offsets": [0, 0]}})
    write("safetensors", "huge_shape.safetensors", safetensors({}, header_override=huge))
    bad_meta = json.dumps({"__metadata__": {"n": 1}})
    write("safetensors", "metadata_number.safetensors", safetensors({}, header_override=bad_meta))


# --- TSV data and vocabularies ---------------------------------------------------------------

def demo_rows(name, count):
    lines = (ROOT / "data" / name).read_text(encoding="utf-8").splitlines()
    return lines[: count + 1]


def tsv_seeds():
    pairs = "\n".join(demo_rows("pairs_train.tsv", 6)) + "\n"
    write("tsv", "pairs.tsv", pairs)
    write("tsv", "pairs_with_vocab.tsv",
          pack([pairs, "he\nis\nnot\na\ngod\nof\nthe\ndead\n"]))
    triplets = demo_rows("triplets_train.tsv", 4)
    triplets = [triplets[0] + "\tweight"] + [row + "\t%g" % (0.5 * i)
                                             for i, row in enumerate(triplets[1:])]
    write("tsv", "triplets_weighted.tsv", "\n".join(triplets) + "\n")
    write("tsv", "crlf_bom.tsv",
          pack(["\ufeffleft\tright\tlabel\r\nJesus’ words\tthe Word\t1\r\n\r\nα β\tΑΒ\t0",
                "\ufeffjesus\r\nword\r\nα"]))
    write("tsv", "bad_rows.tsv",
          "left\tright\tlabel\na\tb\t2\na\tb\nx\t\t1\n...\tb\t0\n\xff\tb\t1\nok\tfine\t1\n"
          .encode("latin-1"))
    write("tsv", "bad_header.tsv", "left right label\nleft\tleft\tlabel\n")
    write("tsv", "bad_vocab.tsv",
          pack(["left\tright\tlabel\na\tb\t1\n", "a\nb\na\n\nHello\ndon't\n"]))


# --- pretrained word vectors -----------------------------------------------------------------

def config(word2vec, missing, dim, double=False):
    return bytes([int(word2vec) | missing << 1 | (dim - 1) << 3 | int(double) << 6])


def pretrained_seeds():
    glove = "the 0.1 0.2 0.3\nof -1 0 1e-3\nApple 1 2 3\napple 4 5 6 \nnew york 1 1 1\n"
    write("pretrained", "glove_random.txt", config(False, 1, 3) + glove.encode())
    write("pretrained", "glove_mean_double.txt", config(False, 2, 3, True) + glove.encode())
    w2v = "4 2\nthe 0.5 -0.5\nÜNTER 1 2\nσοφία 3 4\r\n日本 5 6\n"
    write("pretrained", "word2vec_zeros.txt", config(True, 0, 2) + w2v.encode())
    write("pretrained", "word2vec_short.txt", config(True, 2, 2) + b"9 2\nthe 1 2\n")
    write("pretrained", "glove_bad_number.txt", config(False, 0, 1) + b"the nan\nof 1e999\n")
    write("pretrained", "glove_wrong_length.txt", config(False, 1, 3) + b"3 3\nthe 1 2\n")


# --- saved model directories -----------------------------------------------------------------

PAIR_SPEC = """model: tiny_pairs
inputs:
  left:  {shape: [5], dtype: int32}
  right: {shape: [5], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb:    {op: Embedding, vocab: 40, dim: 3, mask_zero: true}
  bilstm: {op: Bidirectional, merge: concat, layer: {op: LSTM, units: 2}}
  dist:   {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head:   {op: Dense, units: 1, activation: sigmoid}
graph:
  x1: bilstm(emb(left))
  x2: bilstm(emb(right))
  pred: head(dist(x1, x2))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train: {optimizer: {name: adam, lr: 0.01}, batch_size: 4, epochs: 1, metrics: [accuracy]}
"""

TRIPLET_SPEC = """model: tiny_triplets
inputs:
  anchor:   {shape: [4], dtype: int32}
  positive: {shape: [4], dtype: int32}
  negative: {shape: [4], dtype: int32}
layers:
  emb:   {op: Embedding, vocab: 40, dim: 3, mask_zero: true}
  lstm:  {op: LSTM, units: 2}
  out:   {op: Dense, units: 2, activation: sigmoid}
  tower: {op: Sequential, layers: [emb, lstm, out]}
graph:
  a: tower(anchor)
  p: tower(positive)
  n: tower(negative)
outputs: [a]
loss:
  op: expression
  expr: "mean(max(sum(square(a - p), -1) - sum(square(a - n), -1) + 0.4, 0))"
train:
  optimizer: {name: rmsprop, lr: 0.01, momentum: 0.5, centered: true}
  batch_size: 2
  epochs: 1
"""

PAIR_DATA = ("left\tright\tlabel\nthe word was god\tin the beginning was the word\t1\n"
             "he is not here\tfor he is risen\t1\nlove your enemies\tthe light shines\t0\n"
             "bread of life\tthe way the truth\t0\n")
TRIPLET_DATA = ("anchor\tpositive\tnegative\nthe word was god\tthe word was with god\tlove one\n"
                "he is risen\the is not here\tbread of life\n")


def train(twinflow, work, name, spec, data, dtype):
    (work / f"{name}.yaml").write_text(spec)
    (work / f"{name}.tsv").write_text(data)
    out = work / f"{name}_run"
    subprocess.run([twinflow, "train", str(work / f"{name}.yaml"), "--data",
                    str(work / f"{name}.tsv"), "--out", str(out), "--dtype", dtype, "--quiet"],
                   check=True)
    return out


def model_dir_seeds(twinflow):
    # A fixed directory, so that the data paths the saved specs hold are the same every time.
    work = pathlib.Path(tempfile.gettempdir()) / "twinflow-make-corpus"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        runs = {"pairs_f32": train(twinflow, work, "pairs", PAIR_SPEC, PAIR_DATA, "float32"),
                "triplets_f64": train(twinflow, work, "triplets", TRIPLET_SPEC, TRIPLET_DATA,
                                      "float64")}
        for name, run in runs.items():
            parts = [(run / f).read_bytes() for f in MODEL_DIR_FILES]
            write("model_dir", f"{name}.dir", pack(parts))
            write("model_dir", f"{name}_no_optimizer.dir", pack(parts[:4]))
            write("spec", f"saved_{name}.yaml", parts[0])
            write("safetensors", f"saved_{name}_weights.safetensors", parts[2])
            write("safetensors", f"saved_{name}_optimizer.safetensors", parts[4])
        # The pair model with its vocabulary, state and weights each damaged in one way.
        parts = [(runs["pairs_f32"] / f).read_bytes() for f in MODEL_DIR_FILES]
        write("model_dir", "pairs_bad_state.dir",
              pack(parts[:3] + [b'{"epoch": 1, "step": "two"}'] + parts[4:]))
        write("model_dir", "pairs_bad_vocab.dir", pack(parts[:1] + [b"the\nthe\n"] + parts[2:]))
        write("model_dir", "pairs_truncated_weights.dir",
              pack(parts[:2] + [parts[2][:100]] + parts[3:]))
        write("model_dir", "pairs_missing_files.dir", pack(parts[:2]))
        # spec.yaml declaring an Embedding the weights do not hold; a state with 1e300 epochs.
        write("model_dir", "pairs_big_embedding.dir",
              pack([parts[0].replace(b"vocab: 40", b"vocab: 40000000", 1)] + parts[1:]))
        write("model_dir", "pairs_state_float.dir",
              pack(parts[:3] + [parts[3].replace(b'"epoch": 1', b'"epoch": 1e300', 1)]
                   + parts[4:]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--twinflow", default=str(ROOT / "build" / "twinflow"),
                        help="the twinflow program that writes the saved model directories")
    args = parser.parse_args()
    shutil.rmtree(CORPUS, ignore_errors=True)
    spec_seeds()
    expression_seeds()
    safetensors_seeds()
    tsv_seeds()
    pretrained_seeds()
    model_dir_seeds(args.twinflow)
    for target in sorted(p.name for p in CORPUS.iterdir()):
        files = list((CORPUS / target).iterdir())
        print(f"{target}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
