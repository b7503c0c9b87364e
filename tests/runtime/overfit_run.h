// tests/runtime/overfit_run.h — a small cosine Siamese network that overfits 128 demo rows
// within a few epochs (its validation loss falls, then rises), and what the tests of training
// runs check about it.
#pragma once

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "runtime/io/safetensors.h"
#include "runtime/io/weights_file.h"
#include "runtime/train/trainer.h"

namespace twinflow::testing {

// A small cosine Siamese network with a learning rate high enough that it overfits 128 rows
// within a few epochs: the validation loss falls, then rises.
inline constexpr std::string_view kOverfitSpec = R"yaml(model: overfit_pairs
inputs:
  left:  {shape: [10], dtype: int32}
  right: {shape: [10], dtype: int32}
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
  optimizer: {name: adam, lr: 0.05}
  batch_size: 16
  epochs: 6
  seed: 5
  data: train.tsv
  val: val.tsv
)yaml";

// Parses and builds the spec file, its data paths made absolute.
inline graph::Model build_spec_file(const std::string& path) {
  graph::Diagnostics diags;
  std::optional<graph::ModelSpec> spec = graph::parse_spec_file(path, diags);
  REQUIRE_MESSAGE(spec, diags.to_string());
  runtime::resolve_spec_paths(*spec);
  std::optional<graph::Model> model = graph::build_model(*spec, diags);
  REQUIRE_MESSAGE(model, diags.to_string());
  return std::move(*model);
}

// How many elements of the store differ from the file's tensors of the same names.
inline int64_t differences(const runtime::ParameterStore<double>& params, const std::string& file) {
  const runtime::SafetensorsContent saved = runtime::read_safetensors(file);
  int64_t different = 0;
  for (const runtime::Parameter<double>& p : params.all()) {
    const std::vector<double> values =
        runtime::stored_values<double>(saved.tensors.at(p.name), p.name);
    REQUIRE(values.size() == p.data.data.size());
    for (size_t i = 0; i < values.size(); ++i) different += values[i] != p.data.data[i];
  }
  return different;
}

}  // namespace twinflow::testing
