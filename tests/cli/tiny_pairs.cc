#include "tests/cli/tiny_pairs.h"

#include <doctest/doctest.h>

#include <string_view>

#include "tests/testing/text_files.h"

namespace twinflow::testing {

namespace {

constexpr std::string_view kTinySpec = R"yaml(model: tiny_pairs
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
  data: train.tsv
  val: val.tsv
)yaml";

}  // namespace

TinyPairs::TinyPairs() {
  tmp.write("train.tsv", head_of("data/pairs_train.tsv", 256));
  tmp.write("val.tsv", head_of("data/pairs_val.tsv", 64));
  spec = tmp.write("tiny.yaml", kTinySpec);
}

CliRun TinyPairs::train(const std::string& out, std::vector<std::string> extra) const {
  std::vector<std::string> args{"train", spec, "--dtype", "float64", "--out", tmp.path(out)};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_twinflow(args);
}

const TinyPairs& trained_tiny_pairs() {
  static const TinyPairs pairs;
  static const CliRun run = pairs.train("model");
  REQUIRE_MESSAGE(run.status == 0, run.err);
  return pairs;
}

}  // namespace twinflow::testing
