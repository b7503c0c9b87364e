// With validation data, fit() ends on the best epoch's weights (by validation loss), not the
// last epoch's: in memory, where the test split is evaluated, and in weights.safetensors, while
// checkpoint.safetensors holds the last epoch to resume from.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "runtime/io/safetensors.h"
#include "runtime/io/weights_file.h"
#include "runtime/train/trainer.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::runtime {
namespace {

// A small cosine Siamese network with a learning rate high enough that it overfits 128 rows
// within a few epochs: the validation loss falls, then rises.
constexpr std::string_view kOverfitSpec = R"yaml(model: overfit_pairs
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

graph::Model build(const std::string& path) {
  graph::Diagnostics diags;
  std::optional<graph::ModelSpec> spec = graph::parse_spec_file(path, diags);
  REQUIRE_MESSAGE(spec, diags.to_string());
  resolve_spec_paths(*spec);
  std::optional<graph::Model> model = graph::build_model(*spec, diags);
  REQUIRE_MESSAGE(model, diags.to_string());
  return std::move(*model);
}

// How many elements of the store differ from the file's tensors of the same names.
int64_t differences(const ParameterStore<double>& params, const std::string& file) {
  const SafetensorsContent saved = read_safetensors(file);
  int64_t different = 0;
  for (const Parameter<double>& p : params.all()) {
    const std::vector<double> values = stored_values<double>(saved.tensors.at(p.name), p.name);
    REQUIRE(values.size() == p.data.data.size());
    for (size_t i = 0; i < values.size(); ++i) different += values[i] != p.data.data[i];
  }
  return different;
}

TEST_SUITE("runtime.train") {
  TEST_CASE("fit keeps the best epoch's weights, in memory and in weights.safetensors") {
    testing::TempDir tmp;
    tmp.write("train.tsv", testing::head_of("data/pairs_train.tsv", 128));
    tmp.write("val.tsv", testing::head_of("data/pairs_val.tsv", 64));
    const graph::Model model = build(tmp.write("overfit.yaml", kOverfitSpec));
    TrainOptions options;
    options.out_dir = tmp.path("run");
    Trainer<double> trainer(model, options);
    const TrainSummary summary = trainer.fit();

    // The case is what it claims: the last epoch is not the best.
    REQUIRE(summary.epochs.size() == 6);
    REQUIRE(summary.best_epoch >= 1);
    REQUIRE(summary.best_epoch < 6);
    const EpochLog& best = summary.epochs[static_cast<size_t>(summary.best_epoch - 1)];
    CHECK(best.val_loss == trainer.state().best_val_loss);
    CHECK(summary.epochs.back().val_loss > best.val_loss);

    CHECK(differences(trainer.params(), tmp.path("run/weights.safetensors")) == 0);
    CHECK(differences(trainer.params(), tmp.path("run/checkpoint.safetensors")) > 0);
    // Evaluated now, the validation loss is the best epoch's, to the bit (float64).
    CHECK(trainer.evaluate(*trainer.val_data(), false).loss() == best.val_loss);
  }
}

}  // namespace
}  // namespace twinflow::runtime
