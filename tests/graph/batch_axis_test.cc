// build_model refuses what would break the pairing of rows or count padding: a layer or a
// Lambda layer working along the batch axis (also written as a negative axis), a mean or max
// over padded time steps. A loss expression still reduces over the batch, sum over padded steps
// stays allowed, and the pooling layers read the mask.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <optional>
#include <string>

#include "graph/model/model.h"
#include "graph/spec/spec.h"

namespace twinflow::graph {
namespace {

// Layer `bad` is declared on line 10 (its name at column 3); `graph:` is on line 13.
std::string spec_with(const std::string& bad, const std::string& graph,
                      const std::string& loss =
                          "{op: binary_crossentropy, pred: pred, "
                          "target: label}") {
  return fmt::format(R"Y(model: towers
inputs:
  left:  {{shape: [6], dtype: int32}}
  right: {{shape: [6], dtype: int32}}
  label: {{shape: [1], dtype: float32}}
layers:
  emb:  {{op: Embedding, vocab: 50, dim: 4, mask_zero: true}}
  lstm: {{op: LSTM, units: 4}}
  seq:  {{op: LSTM, units: 4, return_sequences: true}}
  bad:  {}
  head: {{op: Dense, units: 1, activation: sigmoid}}
  flat: {{op: Embedding, vocab: 50, dim: 4}}
graph:
  x1: lstm(emb(left))
  x2: lstm(emb(right))
{}outputs: [pred]
loss: {}
)Y",
                     bad, graph, loss);
}

struct BuiltSpec {
  Diagnostics diags;
  std::optional<Model> model;
};

BuiltSpec build(const std::string& text) {
  BuiltSpec b;
  const std::optional<ModelSpec> spec = parse_spec(text, "t.yaml", b.diags);
  REQUIRE_MESSAGE(spec.has_value(), b.diags.to_string());
  b.model = build_model(*spec, b.diags);
  return b;
}

// The spec fails with exactly one error, which starts with `expected` (its place included).
void refused(const std::string& bad, const std::string& graph, const std::string& expected) {
  const BuiltSpec b = build(spec_with(bad, graph));
  INFO(b.diags.to_string());
  CHECK_FALSE(b.model.has_value());
  REQUIRE(b.diags.error_count() == 1);
  CHECK(b.diags.to_string().find("t.yaml:" + expected) == 0);
}

void builds(const std::string& bad, const std::string& graph) {
  const BuiltSpec b = build(spec_with(bad, graph));
  INFO(b.diags.to_string());
  CHECK(b.model.has_value());
  CHECK(b.diags.error_count() == 0);
}

const std::string kTowers = "  pred: head(bad(x1, x2))\n";
const std::string kOneTower = "  pred: head(bad(x1))\n";
const std::string kWhy =
    "is the batch axis; every value keeps one row per example, so that the loss can pair "
    "predictions with targets: use axis 1 or -1 (to run one tower over several inputs, apply "
    "the shared layer to each input)";

TEST_SUITE("graph.model") {
  TEST_CASE("Concatenate, Slice and the reductions refuse the batch axis at the layer") {
    refused("{op: Concatenate, axis: 0}", kTowers,
            "10:3: error: layer 'bad' (Concatenate): axis 0 " + kWhy);
    refused("{op: Slice, axis: 0, begin: 0, end: 2}", kOneTower,
            "10:3: error: layer 'bad' (Slice): axis 0 " + kWhy);
    refused("{op: Slice, axis: 0, part: 0, of: 2}", kOneTower,
            "10:3: error: layer 'bad' (Slice): axis 0 " + kWhy);
    refused("{op: ReduceSum, axis: 0}", kOneTower,
            "10:3: error: layer 'bad' (ReduceSum): axis 0 " + kWhy);
    refused("{op: ReduceMean, axis: 0, keepdims: true}", kOneTower,
            "10:3: error: layer 'bad' (ReduceMean): axis 0 " + kWhy);
    refused("{op: ReduceMax, axis: 0}", kOneTower,
            "10:3: error: layer 'bad' (ReduceMax): axis 0 " + kWhy);
    refused("{op: Cosine, axis: 0}", kTowers, "10:3: error: layer 'bad' (Cosine): axis 0 " + kWhy);
  }

  TEST_CASE("a negative axis that resolves to the batch axis is refused too") {
    refused("{op: Concatenate, axis: -2}", kTowers,
            "10:3: error: layer 'bad' (Concatenate): axis -2 of [B, 4] " + kWhy);
    refused("{op: ReduceMean, axis: -2}", kOneTower,
            "10:3: error: layer 'bad' (ReduceMean): axis -2 of [B, 4] " + kWhy);
    refused("{op: ReduceSum, axis: -3}", "  pred: head(bad(emb(left)))\n",
            "10:3: error: layer 'bad' (ReduceSum): axis -3 of [B, 6, 4] " + kWhy);
    // The other axes are fine.
    builds("{op: Concatenate, axis: -1}", kTowers);
    builds("{op: Concatenate, axis: 1}", kTowers);
    builds("{op: Slice, axis: 1, part: 1, of: 2}", kOneTower);
    builds("{op: ReduceSum, axis: -1, keepdims: true}", kOneTower);
  }

  TEST_CASE("a Lambda layer may not reduce or cut the batch axis; a loss expression may") {
    // Column 40 is the expression's first character.
    refused("{op: Lambda, args: [a], expr: \"sum(a, 0)\"}", kOneTower,
            "10:40: error: layer 'bad' (Lambda): in 'sum(a, 0)': axis 0 of [B, 4] is the batch "
            "axis; a Lambda layer keeps one row per example");
    // sum(a, -1) is [B]: mean's default axis -1 is then the batch axis.
    refused("{op: Lambda, args: [a], expr: \"1 + mean(sum(a, -1))\"}", kOneTower,
            "10:44: error: layer 'bad' (Lambda): in 'mean(sum(a, -1))': axis -1 of [B] is the "
            "batch axis");
    refused("{op: Lambda, args: [a], expr: \"slice(a, 0, 1, axis=0)\"}", kOneTower,
            "10:40: error: layer 'bad' (Lambda): in 'slice(a, 0, 1, axis=0)': axis 0 of [B, 4]");
    refused("{op: Lambda, args: [a, b], expr: \"dot(a, b, -2)\"}", kTowers,
            "10:43: error: layer 'bad' (Lambda): in 'dot(a, b, -2)': axis -2 of [B, 4] is the "
            "batch axis");
    // The loss reduces everything to a scalar, over the batch.
    const BuiltSpec b = build(spec_with("{op: Dense, units: 1}", "  pred: bad(x1)\n",
                                        "{op: expression, expr: \"mean(sum(square(pred - label), "
                                        "-1))\"}"));
    INFO(b.diags.to_string());
    CHECK(b.model.has_value());
  }

  TEST_CASE("mean and max over padded time steps point at the pooling layers") {
    const std::string masked = "  pred: head(bad(seq(emb(left))))\n";
    refused("{op: Lambda, args: [a], expr: \"mean(a, axis=1)\"}", masked,
            "10:40: error: layer 'bad' (Lambda): in 'mean(a, axis=1)': axis 1 of [B, 6, 4] is "
            "time steps with padding (token ids with 0 from a mask_zero Embedding); mean over it "
            "would count the padding: use a GlobalAveragePooling1D layer");
    refused("{op: Lambda, args: [a], expr: \"max(a, axis=1)\"}", masked,
            "10:40: error: layer 'bad' (Lambda): in 'max(a, axis=1)': axis 1 of [B, 6, 4] is "
            "time steps with padding");
    CHECK(build(spec_with("{op: Lambda, args: [a], expr: \"min(a, axis=-2)\"}", masked))
              .diags.to_string()
              .find("use a GlobalMaxPooling1D layer") != std::string::npos);
    // Elementwise math and a reduction over features keep the padded steps on axis 1.
    refused("{op: Lambda, args: [a], expr: \"max(mean(2 * tanh(a), axis=2), axis=1)\"}", masked,
            "10:40: error: layer 'bad' (Lambda): in 'max(mean(2 * tanh(a), axis=2), axis=1)': "
            "axis 1 of [B, 6] is time steps with padding");
    refused("{op: ReduceMean, axis: 1}", "  pred: head(bad(emb(left)))\n",
            "10:3: error: layer 'bad' (ReduceMean): axis 1 of [B, 6, 4] is time steps with "
            "padding (token ids with 0 from a mask_zero Embedding), which it would count: use a "
            "GlobalAveragePooling1D layer");
    refused("{op: ReduceMax, axis: -2}", masked,
            "10:3: error: layer 'bad' (ReduceMax): axis -2 of [B, 6, 4] is time steps with "
            "padding");
    // sum over time is right when the padded steps are 0 (an LSTM's are); unmasked values and
    // other axes may be averaged.
    builds("{op: Lambda, args: [a], expr: \"sum(a, axis=1)\"}", masked);
    builds("{op: ReduceSum, axis: 1}", masked);
    builds("{op: Lambda, args: [a], expr: \"mean(a, axis=1)\"}", "  pred: head(bad(flat(left)))\n");
  }

  TEST_CASE("the pooling layers take the token ids of a masked value as their mask") {
    for (const char* op : {"GlobalAveragePooling1D", "GlobalMaxPooling1D"}) {
      CAPTURE(op);
      const BuiltSpec masked =
          build(spec_with(fmt::format("{{op: {}}}", op), "  pred: head(bad(seq(emb(left))))\n"));
      INFO(masked.diags.to_string());
      REQUIRE(masked.model.has_value());
      const Graph& g = *masked.model->graph;
      const Node& pool = g.node(g.value(*g.find_value("pred.bad")).producer);
      REQUIRE(pool.inputs.size() == 2);
      CHECK(pool.inputs[1] == masked.model->values.at("left"));
      const BuiltSpec plain =
          build(spec_with(fmt::format("{{op: {}}}", op), "  pred: head(bad(flat(left)))\n"));
      REQUIRE(plain.model.has_value());
      const Graph& h = *plain.model->graph;
      CHECK(h.node(h.value(*h.find_value("pred.bad")).producer).inputs.size() == 1);
    }
  }
}

}  // namespace
}  // namespace twinflow::graph
