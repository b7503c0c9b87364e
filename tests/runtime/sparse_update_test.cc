// Row-sparse Embedding gradients (runtime/exec/touched_rows.h) and the optimizers that use them
// (runtime/optim/optimizer_base.h): backward lists exactly the rows its ids reach, zero_grad
// clears only those, and sgd without momentum and adagrad updating only those rows give the
// dense update's bits.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/spec/fields.h"
#include "ops/binary.h"
#include "ops/embedding.h"
#include "ops/reduce.h"
#include "runtime/optim/optimizer.h"
#include "tests/testing/model_data.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;
using graph::ValueId;

constexpr int64_t kTableRows = 12, kDim = 3, kSeq = 4;

// loss = Σ emb(ids)², plus Σ W² when the table is also read by another op (`tied`).
struct TableGraph {
  graph::Graph g;
  ValueId loss = -1;
};

TableGraph table_graph(bool mask_zero, bool tied) {
  TableGraph t;
  graph::Graph& g = t.g;
  const ValueId ids = g.add_input("ids", Shape{graph::kBatch, kSeq}, graph::DType::kInt32);
  const graph::LayerId emb = g.add_layer("emb", ops::op_def<ops::Embedding>(),
                                         graph::EmbeddingAttrs{kTableRows, kDim, mask_zero});
  const auto sum_of_squares = [&](ValueId x, const std::string& name) {
    ValueId s = g.add_node(ops::op_def<ops::Mul>(), graph::NoAttrs{}, {x, x}, name + "_sq");
    while (g.value(s).shape.rank() > 0)
      s = g.add_node(ops::op_def<ops::ReduceSum>(), graph::ReduceAttrs{-1, false}, {s},
                     name + "_r" + std::to_string(g.value(s).shape.rank()));
    return s;
  };
  t.loss = sum_of_squares(g.apply(emb, {ids}, "y"), "y");
  if (tied) {
    const ValueId w = g.layer(emb).params.at(0);
    t.loss = g.add_node(ops::op_def<ops::Add>(), graph::NoAttrs{}, {t.loss, sum_of_squares(w, "w")},
                        "total");
  }
  return t;
}

// Rows whose gradient holds a non-zero value.
std::vector<int64_t> nonzero_rows(const Parameter<double>& p) {
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < p.grad.shape[0]; ++r)
    for (int64_t j = 0; j < p.grad.shape[1]; ++j)
      if (p.grad.data[static_cast<size_t>(r * p.grad.shape[1] + j)] != 0.0) {
        rows.push_back(r);
        break;
      }
  return rows;
}

TEST_SUITE("runtime.sparse_rows") {
  TEST_CASE("backward lists the rows its ids reach, and zero_grad clears only those") {
    for (const bool mask_zero : {true, false}) {
      CAPTURE(mask_zero);
      TableGraph t = table_graph(mask_zero, false);
      ParameterStore<double> params(t.g, 3);
      Executor<double> exec(t.g, params);
      Parameter<double>& w = params.all().at(0);
      CHECK(w.grad_rows.tracked);
      ops::IdTensor a(Shape{2, kSeq}), b(Shape{1, kSeq});
      a.data = {7, 0, 3, 7, 11, 0, 0, 0};  // repeats and padding
      b.data = {2, 3, 0, 0};
      params.zero_grad();
      std::set<int64_t> expected;
      for (const ops::IdTensor* ids : {&a, &b}) {  // two micro-batches accumulate
        exec.feed_ids("ids", ids);
        exec.forward(false, 1);
        exec.backward(t.loss);
        for (int32_t id : ids->data)
          if (!(mask_zero && id == 0)) expected.insert(id);
        CHECK(w.grad_rows.known);
        CHECK(w.grad_rows.rows == std::vector<int64_t>(expected.begin(), expected.end()));
        // Each listed row received dy = 2·W[row] per use: a non-zero gradient.
        CHECK(nonzero_rows(w) == w.grad_rows.rows);
      }
      params.zero_grad();
      CHECK(w.grad_rows.known);
      CHECK(w.grad_rows.rows.empty());
      CHECK(testing::max_abs(std::vector<double>(w.grad.data.begin(), w.grad.data.end())) == 0.0);
    }
  }

  TEST_CASE("with subwords, the rows of the pieces are listed too, and -1 is none") {
    graph::Graph g;
    const ValueId ids = g.add_input("ids", Shape{graph::kBatch, 2}, graph::DType::kInt32);
    const graph::SubwordAttrs two_grams{2, 2, 5};
    const int64_t slots = graph::subword_slots(two_grams);
    const ValueId pieces =
        g.add_input("pieces", Shape{graph::kBatch, 2, slots}, graph::DType::kInt32);
    const graph::LayerId emb =
        g.add_layer("emb", ops::op_def<ops::Embedding>(),
                    graph::EmbeddingAttrs{kTableRows, kDim, true, two_grams});
    ValueId loss = g.apply(emb, {ids, pieces}, "y");
    while (g.value(loss).shape.rank() > 0)
      loss = g.add_node(ops::op_def<ops::ReduceSum>(), graph::ReduceAttrs{-1, false}, {loss},
                        "r" + std::to_string(g.value(loss).shape.rank()));
    ParameterStore<double> params(g, 3);
    Executor<double> exec(g, params);
    Parameter<double>& w = params.all().at(0);
    REQUIRE(w.grad_rows.tracked);
    ops::IdTensor a(Shape{1, 2}), p(Shape{1, 2, slots});
    a.data = {4, 0};  // the second position is padding: its pieces must not count
    std::fill(p.data.begin(), p.data.end(), -1);
    p.data[0] = kTableRows + 3;
    p.data[1] = kTableRows + 1;
    p.data[static_cast<size_t>(slots)] = kTableRows + 4;
    params.zero_grad();
    exec.feed_ids("ids", &a);
    exec.feed_ids("pieces", &p);
    exec.forward(false, 1);
    exec.backward(loss);
    CHECK(nonzero_rows(w) == std::vector<int64_t>{4, kTableRows + 1, kTableRows + 3});
    // Listed rows cover every non-zero one; a padded position's pieces may be listed, harmlessly.
    for (int64_t r : nonzero_rows(w))
      CHECK(std::binary_search(w.grad_rows.rows.begin(), w.grad_rows.rows.end(), r));
    CHECK(w.grad_rows.rows.size() <= 4);
  }

  TEST_CASE("a table another op also reads has a dense gradient") {
    TableGraph t = table_graph(true, true);
    ParameterStore<double> params(t.g, 3);
    Executor<double> exec(t.g, params);
    Parameter<double>& w = params.all().at(0);
    CHECK_FALSE(w.grad_rows.tracked);
    ops::IdTensor ids(Shape{1, kSeq});
    ids.data = {1, 2, 0, 0};
    params.zero_grad();
    exec.feed_ids("ids", &ids);
    exec.forward(false, 1);
    exec.backward(t.loss);
    CHECK_FALSE(w.grad_rows.known);
    CHECK(static_cast<int64_t>(nonzero_rows(w).size()) == kTableRows);
    params.zero_grad();  // whole, since no rows are known
    CHECK(testing::max_abs(std::vector<double>(w.grad.data.begin(), w.grad.data.end())) == 0.0);
  }
}

// ---- dense and row-sparse updates of a whole model, bit for bit

struct Batches {
  std::vector<ops::IdTensor> left, right;
};

Batches random_batches(const SiameseConfig& config, int steps) {
  Batches b;
  for (int s = 0; s < steps; ++s) {
    b.left.push_back(testing::random_ids(3, config.seq_len, 9, 10 + static_cast<uint64_t>(s)));
    b.right.push_back(testing::random_ids(3, config.seq_len, 9, 50 + static_cast<uint64_t>(s)));
  }
  return b;
}

// Trains a tiny cosine Siamese network (a table of 60 rows, few enough that the update goes by
// rows; the texts use ids below 9) for
// `steps` steps; `dense` forgets the table's rows after each backward, so that zero_grad,
// clipping and the optimizer visit every row.
template <typename T>
struct Run {
  ReferenceModel model;
  ParameterStore<T> params;
  std::unique_ptr<Optimizer<T>> optimizer;
  int64_t rows_known = 0;  // steps at which the optimizer saw the table's rows

  Run(const graph::OptimizerSpec& spec, const Batches& batches, bool dense)
      : model(cosine_siamese(testing::tiny_siamese(60))),
        params(*model.graph, 7),
        optimizer(make_optimizer<T>(spec)) {
    Executor<T> exec(*model.graph, params);
    ops::Tensor<T> label(Shape{3, 1});
    label.data = {T(1), T(0), T(1)};
    exec.feed("label", &label);
    for (size_t s = 0; s < batches.left.size(); ++s) {
      params.zero_grad();
      exec.feed_ids("left", &batches.left[s]);
      exec.feed_ids("right", &batches.right[s]);
      exec.forward(true, s);
      exec.backward(model.loss);
      for (Parameter<T>& p : params.all())
        if (dense) p.grad_rows.forget();
      rows_known += params.find("emb.embeddings")->grad_rows.known ? 1 : 0;
      optimizer->step(params);
    }
  }
};

template <typename T>
bool same_bits(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

template <typename T>
void check_sparse_is_dense(const graph::OptimizerSpec& spec) {
  constexpr int kSteps = 4;
  const Batches batches = random_batches(testing::tiny_siamese(60), kSteps);
  Run<T> sparse(spec, batches, false), dense(spec, batches, true);
  CHECK(sparse.rows_known == kSteps);
  CHECK(dense.rows_known == 0);
  for (size_t k = 0; k < sparse.params.all().size(); ++k) {
    const Parameter<T>& a = sparse.params.all()[k];
    CAPTURE(a.name);
    CHECK(same_bits<T>(a.data.data, dense.params.all()[k].data.data));
  }
  // Rows 9..59 were never used: the table moved, but not there.
  ParameterStore<T> initial(*sparse.model.graph, 7);
  const Parameter<T>& table = *sparse.params.find("emb.embeddings");
  const Parameter<T>& before = *initial.find("emb.embeddings");
  const size_t used = 9 * static_cast<size_t>(table.data.shape[1]);
  CHECK_FALSE(same_bits<T>(std::span(table.data.data).first(used),
                           std::span(before.data.data).first(used)));
  CHECK(same_bits<T>(std::span(table.data.data).subspan(used),
                     std::span(before.data.data).subspan(used)));
  const SafetensorsContent a = sparse.optimizer->state(), b = dense.optimizer->state();
  CHECK(a.tensors.size() == b.tensors.size());
  for (const auto& [name, tensor] : a.tensors) {
    CAPTURE(name);
    CHECK(tensor.bytes == b.tensors.at(name).bytes);
  }
}

std::vector<graph::OptimizerSpec> exact_specs() {
  std::vector<graph::OptimizerSpec> specs;
  for (const char* name : {"sgd", "adagrad"})
    for (const double global_clipnorm : {0.0, 1e-3}) {  // 1e-3: clipping every step
      graph::OptimizerSpec spec = graph::default_optimizer(name);
      spec.lr = 0.5;
      spec.global_clipnorm = global_clipnorm;
      spec.clipnorm = global_clipnorm > 0 ? 2e-3 : 0.0;
      specs.push_back(spec);
    }
  return specs;
}

TEST_SUITE("runtime.sparse_rows") {
  TEST_CASE("sgd and adagrad on the used rows give the dense update bit for bit") {
    for (const graph::OptimizerSpec& spec : exact_specs()) {
      CAPTURE(spec.name);
      CAPTURE(spec.global_clipnorm);
      SUBCASE("float64") { check_sparse_is_dense<double>(spec); }
      SUBCASE("float32") { check_sparse_is_dense<float>(spec); }
    }
  }
}

}  // namespace
}  // namespace twinflow::runtime
