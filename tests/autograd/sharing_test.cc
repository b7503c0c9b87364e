// Weight sharing and gradient accumulation: a layer applied at several places has one set of
// parameters whose gradient is the sum over its uses, and micro-batches add up to the batch.
#include <doctest/doctest.h>

#include "autograd/tape.h"
#include "graph/ir/attrs.h"
#include "ops/binary.h"
#include "ops/dense.h"
#include "ops/lstm.h"
#include "ops/reduce.h"
#include "runtime/exec/reference_models.h"
#include "tests/testing/model_data.h"
#include "tests/testing/op_check.h"

namespace twinflow::autograd {
namespace {

using graph::Graph;
using graph::LayerId;
using graph::Shape;
using graph::ValueId;
using testing::max_abs;
using testing::max_abs_diff;

constexpr int64_t kBatch = 3;
constexpr int64_t kSeq = 4;

graph::LstmAttrs small_lstm() {
  graph::LstmAttrs a;
  a.units = 3;
  return a;
}

// k branches x_i → shared layer → y_i; total = Σ_i sum(y_i ⊙ y_i) (so branches interact with
// nothing but the shared parameters). Dense works on [B, 5]; LSTM on [B, T, 5] with masks.
struct SharedGraph {
  Graph g;
  std::vector<ValueId> branch_outputs;
  ValueId total = -1;
  std::map<std::string, ops::Tensor<double>> reals;
  std::map<std::string, ops::IdTensor> ids;
};

SharedGraph shared_graph(bool lstm, int branches) {
  SharedGraph s;
  const LayerId layer = lstm ? s.g.add_layer("shared", ops::op_def<ops::LSTM>(), small_lstm())
                             : s.g.add_layer("shared", ops::op_def<ops::Dense>(),
                                             graph::DenseAttrs{4, graph::Activation::kTanh, true});
  for (int i = 0; i < branches; ++i) {
    const std::string name = "x" + std::to_string(i);
    const Shape shape = lstm ? Shape{graph::kBatch, kSeq, 5} : Shape{graph::kBatch, 5};
    const ValueId x = s.g.add_input(name, shape);
    ops::Tensor<double> data(lstm ? Shape{kBatch, kSeq, 5} : Shape{kBatch, 5});
    const std::vector<double> values =
        testing::random_normal(data.size(), 100 + static_cast<uint64_t>(i));
    data.data.assign(values.begin(), values.end());
    s.reals.emplace(name, std::move(data));
    std::vector<ValueId> inputs{x};
    if (lstm) {
      const ValueId m = s.g.add_input("ids" + std::to_string(i), Shape{graph::kBatch, kSeq},
                                      graph::DType::kInt32);
      s.ids.emplace("ids" + std::to_string(i), testing::random_ids(kBatch, kSeq, 9, 200 + i));
      inputs.push_back(m);
    }
    const ValueId y = s.g.apply(layer, inputs, "y" + std::to_string(i));
    const ValueId sq =
        s.g.add_node(ops::op_def<ops::Mul>(), graph::NoAttrs{}, {y, y}, "sq" + std::to_string(i));
    const ValueId r1 = s.g.add_node(ops::op_def<ops::ReduceSum>(), graph::ReduceAttrs{-1, false},
                                    {sq}, "r" + std::to_string(i));
    const ValueId r0 = s.g.add_node(ops::op_def<ops::ReduceSum>(), graph::ReduceAttrs{0, false},
                                    {r1}, "s" + std::to_string(i));
    s.branch_outputs.push_back(r0);
    s.total = i == 0 ? r0
                     : s.g.add_node(ops::op_def<ops::Add>(), graph::NoAttrs{}, {s.total, r0},
                                    "total" + std::to_string(i));
  }
  return s;
}

void check_sum_over_uses(bool lstm, int branches) {
  SharedGraph s = shared_graph(lstm, branches);
  runtime::ParameterStore<double> params(s.g, 5);
  const auto total = testing::parameter_gradients(s.g, params, s.ids, s.reals, s.total);
  // Each branch's contribution on its own, then their sum.
  std::map<std::string, std::vector<double>> summed;
  for (ValueId out : s.branch_outputs) {
    const auto part = testing::parameter_gradients(s.g, params, s.ids, s.reals, out);
    for (const auto& [name, g] : part) {
      CHECK_MESSAGE(max_abs(g) > 1e-6, name, " receives no gradient from a branch");
      auto& acc = summed[name];
      acc.resize(g.size(), 0.0);
      for (size_t i = 0; i < g.size(); ++i) acc[i] += g[i];
    }
  }
  CHECK(total.size() == (lstm ? 3 : 2));
  for (const auto& [name, g] : total) {
    CAPTURE(name);
    CHECK(max_abs_diff(g, summed.at(name)) < 1e-12);
  }
  const auto report = testing::check_model_gradients(s.g, params, s.ids, s.reals, s.total);
  INFO(report.to_string());
  CHECK(report.passed());
}

TEST_SUITE("autograd") {
  TEST_CASE("a shared Dense's gradient is the sum over its two and three uses") {
    check_sum_over_uses(false, 2);
    check_sum_over_uses(false, 3);
  }

  TEST_CASE("a shared LSTM's gradient is the sum over its two and three uses") {
    check_sum_over_uses(true, 2);
    check_sum_over_uses(true, 3);
  }

  TEST_CASE("a value read twice gets the sum of both gradients (y = x ⊙ x)") {
    Graph g;
    const ValueId x = g.add_input("x", Shape{4});
    const ValueId y = g.add_node(ops::op_def<ops::Mul>(), graph::NoAttrs{}, {x, x}, "y");
    Tape<double> tape(g);
    ops::Tensor<double> xv(Shape{4});
    xv.data = {1, -2, 3, 0.5};
    ops::Tensor<double> gx(Shape{4});
    tape.bind(x, &xv);
    tape.bind_grad(x, &gx);
    tape.forward(false, 0);
    ops::Tensor<double> dy(Shape{4});
    dy.data = {1, 2, -1, 4};
    tape.backward(y, dy);
    // d(x²)/dx = 2x: (2·1·1, 2·(−2)·2, 2·3·(−1), 2·0.5·4)
    CHECK(std::vector<double>(gx.data.begin(), gx.data.end()) == std::vector<double>{2, -8, -6, 4});
  }

  TEST_CASE("4 micro-batches accumulate to the gradient of their union batch") {
    const runtime::SiameseConfig config = testing::tiny_siamese(30);
    auto model = runtime::cosine_siamese(config);
    runtime::ParameterStore<double> params(*model.graph, 11);
    const int64_t n = 9;
    const ops::IdTensor left = testing::random_ids(n, config.seq_len, 30, 1);
    const ops::IdTensor right = testing::random_ids(n, config.seq_len, 30, 2);
    ops::Tensor<double> label(Shape{n, 1});
    for (int64_t i = 0; i < n; ++i) label.data[static_cast<size_t>(i)] = static_cast<double>(i % 2);
    const auto whole = testing::parameter_gradients(
        *model.graph, params, {{"left", left}, {"right", right}}, {{"label", label}}, model.loss);

    // Uneven micro-batches 1, 2, 3, 3: backward(loss, b_i / n) re-weights each mean.
    runtime::Executor<double> exec(*model.graph, params);
    params.zero_grad();
    const std::vector<int64_t> bounds{0, 1, 3, 6, 9};
    for (size_t k = 0; k + 1 < bounds.size(); ++k) {
      const auto l = testing::batch_rows(left, bounds[k], bounds[k + 1]);
      const auto r = testing::batch_rows(right, bounds[k], bounds[k + 1]);
      const auto y = testing::batch_rows(label, bounds[k], bounds[k + 1]);
      exec.feed_ids("left", &l);
      exec.feed_ids("right", &r);
      exec.feed("label", &y);
      exec.forward(false, 1);
      exec.backward(model.loss, static_cast<double>(bounds[k + 1] - bounds[k]) / n);
    }
    for (const auto& p : params.all()) {
      CAPTURE(p.name);
      CHECK(max_abs(p.grad.data) > 1e-8);
      CHECK(max_abs_diff(p.grad.data, whole.at(p.name)) < 1e-12);
    }
  }
}

}  // namespace
}  // namespace twinflow::autograd
