// lazy_adam (runtime/optim/optimizer.h): Adam on the Embedding rows a batch used, nothing on the
// others, with the global step's bias correction — checked against Adam and against a scalar loop
// written here from TensorFlow Addons' LazyAdam.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "graph/spec/fields.h"
#include "runtime/optim/optimizer.h"
#include "tests/testing/model_data.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;

constexpr int64_t kRows = 3, kSeq = 5;

// Texts of the tiny cosine Siamese network (a table of 12 rows) whose words change from step to
// step: row 1 is used at steps 1 and 3 only, rows 4 and 5 at step 2 only, rows 7..11 never.
std::vector<std::pair<ops::IdTensor, ops::IdTensor>> batches() {
  const std::vector<std::vector<int32_t>> words = {{1, 2, 3}, {4, 5, 2}, {6, 1, 3}};
  std::vector<std::pair<ops::IdTensor, ops::IdTensor>> out;
  for (const std::vector<int32_t>& w : words) {
    ops::IdTensor left(Shape{kRows, kSeq}), right(Shape{kRows, kSeq});
    left.data = {w[0], w[1], w[2], w[0], 0, w[1], w[2], 0, 0, 0, w[2], w[2], w[0], w[1], 0};
    right.data = {w[2], w[1], 0, 0, 0, w[0], 0, 0, 0, 0, w[1], w[0], w[2], 0, 0};
    out.emplace_back(std::move(left), std::move(right));
  }
  return out;
}

// `after_backward(step, params)` sees the batch's gradient before the update.
using Observer = std::function<void(int, ParameterStore<double>&)>;

struct Trained {
  ReferenceModel model = cosine_siamese(testing::tiny_siamese(12));
  ParameterStore<double> params{*model.graph, 11};
  std::unique_ptr<Optimizer<double>> optimizer;
};

void train(Trained& t, const std::string& name, int steps, const Observer& after_backward = {}) {
  graph::OptimizerSpec spec = graph::default_optimizer(name);
  spec.lr = 0.1;
  t.optimizer = make_optimizer<double>(spec);
  Executor<double> exec(*t.model.graph, t.params);
  ops::Tensor<double> label(Shape{kRows, 1});
  label.data = {1.0, 0.0, 1.0};
  exec.feed("label", &label);
  const auto data = batches();
  for (int s = 0; s < steps; ++s) {
    t.params.zero_grad();
    exec.feed_ids("left", &data[static_cast<size_t>(s)].first);
    exec.feed_ids("right", &data[static_cast<size_t>(s)].second);
    exec.forward(false, 1);
    exec.backward(t.model.loss);
    if (after_backward) after_backward(s, t.params);
    t.optimizer->step(t.params);
  }
}

std::vector<double> slot(const Optimizer<double>& o, const std::string& name) {
  return stored_values<double>(o.state().tensors.at(name), name);
}

std::vector<double> row(std::span<const double> table, int64_t r) {
  const auto begin = table.begin() + r * 4;  // tiny_siamese's rows hold 4 values
  return {begin, begin + 4};
}

bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

const std::string kTable = "emb.embeddings";

TEST_SUITE("runtime.optim") {
  TEST_CASE("lazy_adam's first step is Adam's first step") {
    Trained lazy, adam;
    train(lazy, "lazy_adam", 1);
    train(adam, "adam", 1);
    CHECK(lazy.optimizer->name() == "lazy_adam");
    for (size_t k = 0; k < lazy.params.all().size(); ++k) {
      CAPTURE(lazy.params.all()[k].name);
      CHECK(same_bits(lazy.params.all()[k].data.data, adam.params.all()[k].data.data));
    }
    for (const auto& [name, tensor] : lazy.optimizer->state().tensors) {
      CAPTURE(name);
      CHECK(tensor.bytes == adam.optimizer->state().tensors.at(name).bytes);
    }
  }

  TEST_CASE("lazy_adam leaves a row the batch did not use, and its moments, as they were") {
    // Row 1 is used at step 1 and not at step 2; Adam still moves it at step 2, lazy_adam not.
    for (const std::string name : {"lazy_adam", "adam"}) {
      CAPTURE(name);
      std::vector<double> theta, m, v;
      Trained t;
      train(t, name, 2, [&](int step, ParameterStore<double>& params) {
        if (step != 1) return;
        theta = row(params.find(kTable)->data.data, 1);
        m = row(slot(*t.optimizer, kTable + "/momentum"), 1);
        v = row(slot(*t.optimizer, kTable + "/velocity"), 1);
      });
      const bool kept = same_bits(theta, row(t.params.find(kTable)->data.data, 1)) &&
                        same_bits(m, row(slot(*t.optimizer, kTable + "/momentum"), 1)) &&
                        same_bits(v, row(slot(*t.optimizer, kTable + "/velocity"), 1));
      CHECK(kept == (name == "lazy_adam"));
      CHECK(testing::max_abs(m) > 0.0);
    }
  }

  TEST_CASE("lazy_adam matches a scalar loop of TensorFlow Addons' LazyAdam over 3 steps") {
    const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-7;
    Trained t;
    std::vector<double> theta(t.params.find(kTable)->data.data.begin(),
                              t.params.find(kTable)->data.data.end());
    std::vector<double> m(theta.size(), 0.0), v(theta.size(), 0.0);
    const auto data = batches();
    int64_t moved = 0;
    train(t, "lazy_adam", 3, [&](int step, ParameterStore<double>& params) {
      // The reference takes the batch's gradient; its rows are the texts' ids other than 0.
      const Parameter<double>& table = *params.find(kTable);
      std::set<int32_t> used;
      for (const ops::IdTensor* ids :
           {&data[static_cast<size_t>(step)].first, &data[static_cast<size_t>(step)].second})
        for (int32_t id : ids->data)
          if (id != 0) used.insert(id);
      const double tt = step + 1;
      const double lr_t = lr * std::sqrt(1 - std::pow(b2, tt)) / (1 - std::pow(b1, tt));
      for (int32_t r : used)
        for (size_t i = static_cast<size_t>(r) * 4; i < static_cast<size_t>(r + 1) * 4; ++i) {
          const double g = table.grad.data[i];
          m[i] = b1 * m[i] + (1 - b1) * g;
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          theta[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
          ++moved;
        }
    });
    CHECK(moved == 4 * (3 + 3 + 3));
    CHECK(testing::max_abs_diff(theta, t.params.find(kTable)->data.data) <= 1e-15);
    CHECK(testing::max_abs_diff(m, slot(*t.optimizer, kTable + "/momentum")) <= 1e-15);
    CHECK(testing::max_abs_diff(v, slot(*t.optimizer, kTable + "/velocity")) <= 1e-15);
  }
}

}  // namespace
}  // namespace twinflow::runtime
