// The two seed networks built in C++: they run forward and backward, every shared layer gets
// gradient from every branch, the whole-model gradient passes finite differences, and
// untying a shared layer into per-use copies splits its gradient exactly. Each network's tower
// alone computes the vector of its first branch.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "graph/ir/untie.h"
#include "ops/losses.h"
#include "runtime/exec/reference_models.h"
#include "tests/testing/model_data.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;
using testing::max_abs;
using testing::max_abs_diff;

constexpr int64_t kBatch = 3;

SiameseConfig small_siamese() {
  SiameseConfig c;
  c.vocab = 20;
  c.embed_dim = 4;
  c.seq_len = 5;
  c.units = 3;
  return c;
}

TripletConfig small_triplet() {
  TripletConfig c;
  c.vocab = 20;
  c.embed_dim = 4;
  c.seq_len = 5;
  c.units = 3;
  c.hidden = 5;
  c.embedding = 4;
  c.alpha = 0.4;
  return c;
}

struct Batch {
  std::map<std::string, ops::IdTensor> ids;
  std::map<std::string, ops::Tensor<double>> reals;
};

Batch batch_for(const ReferenceModel& m, int32_t vocab) {
  Batch b;
  uint64_t seed = 1;
  for (const std::string& name : m.id_inputs) {
    const int64_t seq_len = m.graph->value(*m.graph->find_value(name)).shape[1];
    b.ids.emplace(name, testing::random_ids(kBatch, seq_len, vocab, seed++));
  }
  if (m.graph->find_value("label")) {
    ops::Tensor<double> label(Shape{kBatch, 1});
    label.data = {1, 0, 1};
    b.reals.emplace("label", label);
  }
  return b;
}

// Gradients of the untied graph where each copy starts from the shared value.
void check_untie_invariant(const ReferenceModel& m, const std::string& layer_name, const Batch& b) {
  CAPTURE(layer_name);
  ParameterStore<double> shared(*m.graph, 3);
  const auto shared_grads = testing::parameter_gradients(*m.graph, shared, b.ids, b.reals, m.loss);

  const graph::LayerId layer = *m.graph->find_layer(layer_name);
  graph::UntiedGraph untied = graph::untie_layer(*m.graph, layer);
  ParameterStore<double> copies(untied.graph, 4);
  for (const auto& p : shared.all()) {
    if (auto it = untied.param_copies.find(p.value); it != untied.param_copies.end()) {
      for (graph::ValueId copy : it->second) copies.find(copy)->data = p.data;
    } else {
      copies.find(p.name)->data = p.data;
    }
  }
  const graph::ValueId loss = untied.value_map.at(m.loss);
  const auto copy_grads = testing::parameter_gradients(untied.graph, copies, b.ids, b.reals, loss);
  const auto& uses = m.graph->layer(layer).uses;
  for (graph::ValueId p : m.graph->layer(layer).params) {
    const std::string& name = m.graph->value(p).name;
    CAPTURE(name);
    REQUIRE(untied.param_copies.at(p).size() == uses.size());
    std::vector<double> sum(shared_grads.at(name).size(), 0.0);
    for (graph::ValueId copy : untied.param_copies.at(p)) {
      const auto& g = copy_grads.at(untied.graph.value(copy).name);
      CHECK_MESSAGE(max_abs(g) > 1e-9, "a branch sends no gradient to ", name);
      for (size_t i = 0; i < g.size(); ++i) sum[i] += g[i];
    }
    CHECK(max_abs_diff(sum, shared_grads.at(name)) < 1e-12);
  }
}

TEST_SUITE("models") {
  TEST_CASE("cosine Siamese: one Embedding and one Bidirectional, shared by both branches") {
    const ReferenceModel m = cosine_siamese(small_siamese());
    const graph::Graph& g = *m.graph;
    CHECK(g.layers().size() == 3);  // emb, bilstm, head
    CHECK(g.layer(*g.find_layer("emb")).uses.size() == 2);
    CHECK(g.layer(*g.find_layer("bilstm")).uses.size() == 2);
    CHECK(g.value(m.output).shape == Shape{graph::kBatch, 1});
    CHECK(g.value(m.loss).shape == Shape{});
    // emb.embeddings, 3 per LSTM direction, head.kernel, head.bias
    CHECK(g.parameters().size() == 9);
  }

  TEST_CASE("cosine Siamese: forward, backward and whole-model finite differences") {
    const ReferenceModel m = cosine_siamese(small_siamese());
    const Batch b = batch_for(m, 20);
    ParameterStore<double> params(*m.graph, 3);
    const auto grads = testing::parameter_gradients(*m.graph, params, b.ids, b.reals, m.loss);
    for (const auto& [name, g] : grads) {
      CAPTURE(name);
      CHECK(max_abs(g) > 1e-9);
    }
    // Dropout 0.2 / 0.2 is on in training mode: the checker fixes the masks by reseeding.
    for (bool training : {false, true}) {
      CAPTURE(training);
      const auto report =
          testing::check_model_gradients(*m.graph, params, b.ids, b.reals, m.loss, 0, training);
      INFO(report.to_string());
      CHECK(report.passed());
    }
  }

  TEST_CASE("cosine Siamese: untying the shared layers splits their gradient exactly") {
    const ReferenceModel m = cosine_siamese(small_siamese());
    const Batch b = batch_for(m, 20);
    check_untie_invariant(m, "emb", b);
    check_untie_invariant(m, "bilstm", b);
  }

  TEST_CASE("concatenated triplet: shared tower, expression loss, finite differences") {
    const ReferenceModel m = concatenated_triplet(small_triplet());
    const graph::Graph& g = *m.graph;
    for (const char* layer : {"emb", "bilstm", "hidden", "out"})
      CHECK(g.layer(*g.find_layer(layer)).uses.size() == 3);
    CHECK(g.value(m.output).shape == Shape{graph::kBatch, 12});
    const Batch b = batch_for(m, 20);
    ParameterStore<double> params(*m.graph, 8);
    const auto report = testing::check_model_gradients(*m.graph, params, b.ids, b.reals, m.loss);
    INFO(report.to_string());
    CHECK(report.passed());
    for (const char* layer : {"emb", "bilstm", "hidden", "out"}) check_untie_invariant(m, layer, b);
  }

  TEST_CASE("a tower alone gives its network's first vector, under the same names") {
    struct Case {
      ReferenceModel full, tower;
      std::string vector;  // the full network's first vector, fed to its similarity or loss
    };
    const Case cases[] = {
        {cosine_siamese(small_siamese()), cosine_siamese_tower(small_siamese()), "x1.bilstm"},
        {concatenated_triplet(small_triplet()), concatenated_triplet_tower(small_triplet()),
         "anchor.out"}};
    for (const auto& [full, tower, vector_name] : cases) {
      CAPTURE(vector_name);
      CHECK(tower.graph->value(tower.output).name == vector_name);
      CHECK(tower.loss == -1);
      const Batch b = batch_for(full, 20);
      ParameterStore<double> full_params(*full.graph, 5), tower_params(*tower.graph, 6);
      for (auto& p : tower_params.all()) p.data = full_params.find(p.name)->data;
      Executor<double> full_exec(*full.graph, full_params), tower_exec(*tower.graph, tower_params);
      for (const auto& [name, t] : b.ids) full_exec.feed_ids(name, &t);
      for (const auto& [name, t] : b.reals) full_exec.feed(name, &t);
      tower_exec.feed_ids("text", &b.ids.at(full.id_inputs[0]));
      full_exec.forward(false, 1);
      tower_exec.forward(false, 1);
      const auto& want = full_exec.value(vector_name).data;
      const auto& got = tower_exec.value(tower.output).data;
      CHECK(max_abs(want) > 1e-3);
      CHECK(std::vector<double>(got) == std::vector<double>(want));
    }
  }

  TEST_CASE("a token id outside the vocabulary is an error naming the node, not a crash") {
    const ReferenceModel m = cosine_siamese(small_siamese());
    Batch b = batch_for(m, 20);
    b.ids.at("right").data[3] = 20;  // vocab is 20: ids 0..19
    ParameterStore<double> params(*m.graph, 3);
    Executor<double> exec(*m.graph, params);
    for (const auto& [name, t] : b.ids) exec.feed_ids(name, &t);
    for (const auto& [name, t] : b.reals) exec.feed(name, &t);
    CHECK_THROWS_WITH_AS(exec.forward(false, 1),
                         doctest::Contains("node 'x2.emb' (Embedding): token id 20"),
                         graph::RuntimeInputError);
  }

  TEST_CASE("the triplet loss written as an expression equals the built-in TripletMargin") {
    ReferenceModel m = concatenated_triplet(small_triplet());
    const graph::ValueId builtin =
        m.graph->add_node(ops::op_def<ops::TripletMargin>(), graph::TripletMarginAttrs{0.4},
                          {m.output}, "builtin_loss");
    const Batch b = batch_for(m, 20);
    ParameterStore<double> params(*m.graph, 9);
    Executor<double> exec(*m.graph, params);
    for (const auto& [name, t] : b.ids) exec.feed_ids(name, &t);
    exec.forward(false, 1);
    CHECK(exec.value(m.loss).data[0] ==
          doctest::Approx(exec.value(builtin).data[0]).epsilon(1e-12));
    const auto expr_grads = testing::parameter_gradients(*m.graph, params, b.ids, b.reals, m.loss);
    const auto builtin_grads =
        testing::parameter_gradients(*m.graph, params, b.ids, b.reals, builtin);
    for (const auto& [name, g] : expr_grads) {
      CAPTURE(name);
      CHECK(max_abs_diff(g, builtin_grads.at(name)) < 1e-12);
    }
  }
}

}  // namespace
}  // namespace twinflow::runtime
