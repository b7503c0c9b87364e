// A model that pools a mask_zero Embedding over time with GlobalAveragePooling1D and
// GlobalMaxPooling1D gives a text the same vector however much padding follows it, and the
// vector is the mean and the maximum of the text's own embedding rows.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "runtime/exec/executor.h"
#include "runtime/exec/parameter_store.h"
#include "tests/testing/model_data.h"

namespace twinflow::runtime {
namespace {

constexpr int64_t kDim = 4;

// Texts of `steps` token ids each; `pooled` is [mean over time, max over time].
std::string pooled_spec(int64_t steps) {
  return fmt::format(
      "model: pooled\n"
      "inputs:\n"
      "  text: {{shape: [{}], dtype: int32}}\n"
      "  label: {{shape: [1]}}\n"
      "layers:\n"
      "  emb: {{op: Embedding, vocab: 20, dim: {}, mask_zero: true}}\n"
      "  avg: {{op: GlobalAveragePooling1D}}\n"
      "  top: {{op: GlobalMaxPooling1D}}\n"
      "  both: {{op: Concatenate, axis: -1}}\n"
      "  head: {{op: Dense, units: 1, activation: sigmoid}}\n"
      "graph:\n"
      "  e: emb(text)\n"
      "  pooled: both(avg(e), top(e))\n"
      "  pred: head(pooled)\n"
      "outputs: [pred]\n"
      "loss: {{op: binary_crossentropy, pred: pred, target: label}}\n",
      steps, kDim);
}

struct Pooled {
  std::vector<double> rows;   // [texts, 2·kDim]
  std::vector<double> table;  // the embedding matrix [20, kDim]
};

// Runs the model with texts padded with 0 to `steps` ids; parameters drawn from one seed.
Pooled run_pooled(int64_t steps, const std::vector<std::vector<int32_t>>& texts) {
  graph::Diagnostics diags;
  const auto spec = graph::parse_spec(pooled_spec(steps), "pooled.yaml", diags);
  REQUIRE_MESSAGE(spec, diags.to_string());
  const auto model = graph::build_model(*spec, diags);
  REQUIRE_MESSAGE(model, diags.to_string());
  ParameterStore<double> params(*model->graph, 3);
  Executor<double> exec(*model->graph, params);
  const auto n = static_cast<int64_t>(texts.size());
  ops::IdTensor ids(graph::Shape{n, steps});
  for (int64_t b = 0; b < n; ++b)
    std::copy(texts[b].begin(), texts[b].end(), ids.data.begin() + b * steps);
  const ops::Tensor<double> label(graph::Shape{n, 1}, 1.0);
  exec.feed_ids("text", &ids);
  exec.feed("label", &label);
  exec.forward(false, 1);
  const auto& table = params.find("emb.embeddings")->data.data;
  return {{exec.value("pooled").data.begin(), exec.value("pooled").data.end()},
          {table.begin(), table.end()}};
}

// The mean and the maximum of the embedding rows of `text`, worked out from the table.
std::vector<double> expected_row(const std::vector<double>& table,
                                 const std::vector<int32_t>& text) {
  std::vector<double> mean(kDim, 0.0), top(kDim, -1e300);
  for (int32_t id : text)
    for (int64_t e = 0; e < kDim; ++e) {
      mean[e] += table[id * kDim + e] / static_cast<double>(text.size());
      top[e] = std::max(top[e], table[id * kDim + e]);
    }
  mean.insert(mean.end(), top.begin(), top.end());
  return mean;
}

TEST_SUITE("models.pooling") {
  TEST_CASE("padding after a text changes neither pooled vector") {
    const std::vector<std::vector<int32_t>> texts = {{7, 3, 5}, {7}, {7, 7}, {4, 9, 4}};
    const Pooled short_texts = run_pooled(3, texts);
    const Pooled long_texts = run_pooled(8, texts);
    REQUIRE(short_texts.table == long_texts.table);
    // Padding embeds to 0, so counting it would shrink the means by 3/8 and lift a negative
    // maximum to 0: some maxima are negative.
    bool negative_max = false;
    for (size_t b = 0; b < texts.size(); ++b)
      for (int64_t e = 0; e < kDim; ++e)
        negative_max |= long_texts.rows[b * 2 * kDim + kDim + e] < 0;
    CHECK(negative_max);
    CHECK(testing::max_abs_diff(short_texts.rows, long_texts.rows) < 1e-15);
    for (size_t b = 0; b < texts.size(); ++b) {
      CAPTURE(b);
      const std::vector<double> want = expected_row(short_texts.table, texts[b]);
      const std::vector<double> got(long_texts.rows.begin() + b * 2 * kDim,
                                    long_texts.rows.begin() + (b + 1) * 2 * kDim);
      CHECK(testing::max_abs_diff(got, want) < 1e-15);
    }
    // "God" and "God God" pool alike.
    CHECK(testing::max_abs_diff(std::vector<double>(long_texts.rows.begin() + 2 * kDim,
                                                    long_texts.rows.begin() + 4 * kDim),
                                std::vector<double>(long_texts.rows.begin() + 4 * kDim,
                                                    long_texts.rows.begin() + 6 * kDim)) < 1e-15);
  }
}

}  // namespace
}  // namespace twinflow::runtime
