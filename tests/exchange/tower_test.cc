// The tower of a model as a model of its own: which part is cut out, under which names, and that
// it computes exactly the vectors embed computes with the whole model.
#include "runtime/exchange/tower.h"

#include <doctest/doctest.h>

#include "graph/lambda/lambda.h"
#include "runtime/exchange/lambda_text.h"
#include "runtime/exchange/tower_model.h"
#include "runtime/saved/inference.h"
#include "tests/exchange/exchange_fixture.h"

namespace twinflow::runtime {
namespace {

using testing::onnx_test_model;

template <typename T>
void check_tower_vectors(const std::string& name, const std::string& tower_name) {
  const graph::Model model = onnx_test_model(name);
  ParameterStore<T> params(*model.graph, 1);
  testing::randomize(params, 7);
  const TowerSpec tower = tower_spec(model, tower_name);
  const graph::Model alone = build_tower(tower);
  ParameterStore<T> alone_params(*alone.graph, 2);
  copy_parameters(params, alone_params);
  const Vocabulary vocab = testing::small_vocabulary();
  const std::vector<std::string> texts = testing::sample_texts();
  const ModelRoles roles = model_roles(model);
  ModelRoles picked = roles;
  for (size_t i = 0; i < roles.text_inputs.size(); ++i)
    if (roles.text_inputs[i] == tower.input) picked.towers = {roles.towers[i]};
  const Vectors expected = embed_texts(model, picked, vocab, params, texts, 3);
  const Vectors got = embed_texts(alone, model_roles(alone), vocab, alone_params, texts, 3);
  CHECK(got.dim == expected.dim);
  CHECK(got.values == expected.values);  // the same ops in the same order: bit for bit
}

TEST_SUITE("exchange.tower") {
  TEST_CASE("a tower ending inside a Lambda gets a Lambda of its own over that part") {
    const TowerSpec t = tower_spec(onnx_test_model("pairs_sum"), "");
    CHECK(t.input == "left");
    CHECK(t.output == "left_vec");
    const std::string yaml = graph::emit_spec(t.spec);
    CHECK(yaml.find("similarity_left: {op: Lambda, args: [a], expr: \"sum(a, axis=1, "
                    "keepdims=false)\"") != std::string::npos);
    CHECK(yaml.find("x1: \"bilstm(emb(left))\"") != std::string::npos);
    CHECK(yaml.find("left_vec: \"similarity_left(x1)\"") != std::string::npos);
    CHECK(yaml.find("right") == std::string::npos);
    CHECK(yaml.find("head") == std::string::npos);
    CHECK(yaml.find("loss") == std::string::npos);
    CHECK(t.spec.distance == graph::TripletDistance::kCosine);
  }

  TEST_CASE("a Sequential tower keeps its definition and the loss's distance") {
    const TowerSpec t = tower_spec(onnx_test_model("triplet_dense"), "positive");
    CHECK(t.output == "positive_vec");
    CHECK(t.spec.inputs.size() == 1);
    CHECK(t.spec.inputs[0].name == "positive");
    CHECK(t.spec.layers.size() == 5);  // emb, bilstm, hidden, out, tower
    CHECK(t.spec.distance == graph::TripletDistance::kSquaredEuclidean);
  }

  TEST_CASE("a tower called inside another call becomes a definition of its own") {
    const graph::Model model = testing::model_from_text(R"(model: nested
inputs:
  anchor: {shape: [5], dtype: int32}
  positive: {shape: [5], dtype: int32}
  negative: {shape: [5], dtype: int32}
layers:
  emb: {op: Embedding, vocab: 30, dim: 4, mask_zero: true}
  lstm: {op: LSTM, units: 3}
  tower: {op: Sequential, layers: [emb, lstm]}
  merge: {op: Concatenate, axis: -1}
graph:
  embeddings: merge(tower(anchor), tower(positive), tower(negative))
outputs: [embeddings]
loss: {op: batch_hard_triplet, pred: embeddings, distance: cosine}
)");
    const TowerSpec t = tower_spec(model, "negative");
    REQUIRE(t.spec.defs.size() == 1);
    CHECK(t.spec.defs[0].names[0] == "negative_vec");
    CHECK(t.spec.defs[0].text == "tower(negative)");
    CHECK(t.spec.distance == graph::TripletDistance::kCosine);
  }

  TEST_CASE("the tower computes embed's vectors bit for bit, in float32 and float64") {
    for (const char* name : {"pairs_sum", "pairs_average", "triplet_dense", "triplet_pooled"}) {
      CAPTURE(name);
      check_tower_vectors<float>(name, "");
      check_tower_vectors<double>(name, "");
    }
    check_tower_vectors<float>("triplet_pooled", "negative_vec");
    check_tower_vectors<float>("pairs_sum", "right");
  }

  TEST_CASE("names that are no tower are refused, saying which are") {
    const graph::Model model = onnx_test_model("pairs_sum");
    CHECK_THROWS_WITH_AS(tower_spec(model, "x1"),
                         doctest::Contains("'x1' is [B, 12, 12], not one vector per text"),
                         graph::RuntimeInputError);
    CHECK_THROWS_WITH_AS(tower_spec(model, "x1"), doctest::Contains("--tower left"),
                         graph::RuntimeInputError);
    CHECK_THROWS_WITH_AS(tower_spec(model, "lft"), doctest::Contains("did you mean 'left'"),
                         graph::RuntimeInputError);
    CHECK_THROWS_WITH_AS(tower_spec(model, "pred"), doctest::Contains("computed from 2 inputs"),
                         graph::RuntimeInputError);
  }

  TEST_CASE("a tower model: one text input, no loss, compared by its spec's distance") {
    const graph::Model alone = build_tower(tower_spec(onnx_test_model("triplet_pooled"), ""));
    const ModelRoles roles = model_roles(alone);
    CHECK(roles.family == ModelFamily::kTower);
    CHECK(roles.towers == std::vector<graph::ValueId>{alone.outputs[0]});
    CHECK(roles.distance == graph::TripletDistance::kCosine);
    graph::Diagnostics diags;
    CHECK_FALSE(
        graph::parse_spec("model: m\ninputs: {x: {shape: [2]}}\nlayers: {}\ngraph: {}\n"
                          "outputs: [x]\nloss: {op: expression, expr: 'mean(x)'}\n"
                          "distance: cosine\n",
                          "d.yaml", diags));
    CHECK(diags.to_string().find("d.yaml:7:11: error: distance is for a model without a loss") !=
          std::string::npos);
  }
}

// compile(text) -> nodes -> lambda_text -> compile again: the same ops with the same attributes.
std::string lambda_ops_of(const graph::Graph& g) {
  std::string out;
  for (const graph::Node& n : g.nodes()) out += std::string(n.op->name) + " ";
  return out;
}

TEST_SUITE("exchange.lambda_text") {
  TEST_CASE("an expression written back compiles to the same primitives") {
    testing::model_from_text(
        "model: m\ninputs: {x: {shape: [1]}}\nlayers: {}\ngraph: {}\n"
        "outputs: [x]\n");  // registers the ops
    for (const char* text :
         {"exp(-(1 - cosine(sum(a, axis=1), sum(b, axis=1))))",
          "min(a, axis=-1, keepdims=true) * 2.5 + b", "a / norm(a)",
          "sqrt(maximum(sum(square(a - b), -1, keepdims=true), 1e-7))",
          "part(a, 1, 2) - slice(b, 0, 2)", "exponent_neg_manhattan_distance(a, b)",
          "dot(a, b) / max(abs(a), axis=1, keepdims=true) + relu(tanh(sigmoid(log(a))))"}) {
      CAPTURE(text);
      graph::Graph g;
      const graph::ValueId a = g.add_input("a", graph::Shape{graph::kBatch, 3, 4});
      const graph::ValueId b = g.add_input("b", graph::Shape{graph::kBatch, 3, 4});
      const graph::ValueId y = graph::compile_lambda(g, "f", text, {"a", "b"}, {a, b});
      const std::string back =
          lambda_text(g, y, [&](graph::ValueId v) -> std::optional<std::string> {
            if (v == a) return "a";
            if (v == b) return "b";
            return std::nullopt;
          });
      graph::Graph again;
      const graph::ValueId a2 = again.add_input("a", graph::Shape{graph::kBatch, 3, 4});
      const graph::ValueId b2 = again.add_input("b", graph::Shape{graph::kBatch, 3, 4});
      const graph::ValueId y2 = graph::compile_lambda(again, "f", back, {"a", "b"}, {a2, b2});
      CHECK(lambda_ops_of(again) == lambda_ops_of(g));
      CHECK(again.value(y2).shape == g.value(y).shape);
      CHECK(lambda_text(again, y2, [&](graph::ValueId v) -> std::optional<std::string> {
              if (v == a2) return "a";
              if (v == b2) return "b";
              return std::nullopt;
            }) == back);
    }
  }
}

}  // namespace
}  // namespace twinflow::runtime
