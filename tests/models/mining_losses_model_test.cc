// A small triplet model trained with each in-batch mining loss passes a whole-model gradient
// check: every parameter element, float64 central differences, a batch of 4 so that every
// anchor has 7 in-batch candidates to mine from.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "runtime/exec/model_gradcheck.h"

namespace twinflow::runtime {
namespace {

std::string small_triplet_spec(std::string_view loss) {
  return fmt::format(
      "model: t\n"
      "inputs:\n"
      "  anchor: {{shape: [5], dtype: int32}}\n"
      "  positive: {{shape: [5], dtype: int32}}\n"
      "  negative: {{shape: [5], dtype: int32}}\n"
      "layers:\n"
      "  emb: {{op: Embedding, vocab: 20, dim: 4, mask_zero: true}}\n"
      "  bilstm: {{op: Bidirectional, layer: {{op: LSTM, units: 3}}}}\n"
      "  out: {{op: Dense, units: 4, activation: tanh}}\n"
      "  tower: {{op: Sequential, layers: [emb, bilstm, out]}}\n"
      "  merge: {{op: Concatenate, axis: -1}}\n"
      "graph:\n"
      "  embeddings: merge(tower(anchor), tower(positive), tower(negative))\n"
      "outputs: [embeddings]\n"
      "loss: {}\n",
      loss);
}

TEST_SUITE("models.mining_losses") {
  TEST_CASE("a triplet model passes gradcheck with each mining loss") {
    for (const char* loss :
         {"{op: batch_hard_triplet, pred: embeddings, margin: 0.3, distance: euclidean}",
          "{op: batch_hard_triplet, pred: embeddings, soft: true, distance: cosine}",
          "{op: batch_all_triplet, pred: embeddings, margin: 0.5, distance: squared_euclidean}",
          "{op: semi_hard_triplet, pred: embeddings, margin: 0.2, distance: euclidean}",
          "{op: multiple_negatives_ranking, pred: embeddings, scale: 20}"}) {
      CAPTURE(loss);
      graph::Diagnostics diags;
      const auto spec = graph::parse_spec(small_triplet_spec(loss), "t.yaml", diags);
      REQUIRE(spec);
      const auto model = graph::build_model(*spec, diags);
      INFO(diags.to_string());
      REQUIRE(model);
      ModelGradCheckOptions options;
      options.batch = 4;
      options.tolerance = 1e-6;  // relative above each tensor's scale (autograd/gradcheck.h)
      const autograd::GradCheckReport report = check_model_gradients(*model, options);
      INFO(report.to_string());
      CHECK(report.passed());
      CHECK(report.tensors.size() == 1 + 6 + 2);  // emb; 3 per LSTM direction; out
      for (const autograd::TensorCheck& t : report.tensors) CHECK(t.skipped * 2 < t.probes);
    }
  }
}

}  // namespace
}  // namespace twinflow::runtime
