// A shared layer run once on its applications' stacked batches (graph/ir/stacking.h) computes
// what the applications compute one by one: in float64, every value of the graph and every
// parameter's gradient agree to 1e-12, with dropout on (each member's rows draw the masks its
// own node would), on the shipped cosine and triplet networks and on the cosine network with
// subwords; each gradient is complete when backward announces it.
#include <doctest/doctest.h>

#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "ops/registry.h"
#include "runtime/exec/executor.h"
#include "tests/cli/run_cli.h"
#include "tests/testing/model_data.h"
#include "tests/testing/text_files.h"

namespace twinflow::autograd {
namespace {

using graph::ValueId;
using runtime::Stacking;
using twinflow::testing::max_abs;
using twinflow::testing::max_abs_diff;

graph::Model built(const std::string& text) {
  ops::register_builtin_ops();
  graph::Diagnostics diags;
  const auto spec = graph::parse_spec(text, "stack.yaml", diags);
  REQUIRE_MESSAGE(spec, diags.to_string());
  auto model = graph::build_model(*spec, diags);
  REQUIRE_MESSAGE(model, diags.to_string());
  return std::move(*model);
}

graph::Model shipped(const std::string& file, const std::string& from = "",
                     const std::string& to = "") {
  std::string text = twinflow::testing::read_all(twinflow::testing::source_path(file));
  if (!from.empty()) twinflow::testing::replace_once(text, from, to);
  return built(text);
}

// Random data for every input of a model: padded token ids (each text its own lengths), the
// n-gram rows of the real tokens, 0/1 labels and normal reals.
struct Feeds {
  int64_t batch = 0;
  std::deque<ops::IdTensor> ids;
  std::deque<ops::Tensor<double>> reals;
  std::vector<std::pair<std::string, const ops::IdTensor*>> id_inputs;
  std::vector<std::pair<std::string, const ops::Tensor<double>*>> real_inputs;
};

Feeds random_feeds(const graph::Model& m, int64_t batch, uint64_t seed) {
  Feeds f;
  f.batch = batch;
  std::mt19937_64 rng(seed);
  std::map<std::string, const ops::IdTensor*> texts;
  for (ValueId v : m.graph->inputs()) {
    const graph::Value& input = m.graph->value(v);
    if (input.dtype != graph::DType::kInt32 || input.name.find(':') != std::string::npos) continue;
    f.ids.push_back(twinflow::testing::random_ids(batch, input.shape[1], 40, seed + f.ids.size()));
    texts[input.name] = &f.ids.back();
    f.id_inputs.push_back({input.name, &f.ids.back()});
  }
  for (const auto& [text, sub] : m.subword_inputs) {
    const ops::IdTensor& ids = *texts.at(text);
    ops::IdTensor& pieces = f.ids.emplace_back(graph::Shape{batch, ids.shape[1], sub.slots()}, -1);
    std::uniform_int_distribution<int64_t> row(sub.first_row,
                                               sub.first_row + sub.subwords.buckets - 1);
    for (size_t t = 0; t < ids.data.size(); ++t)
      if (ids.data[t] != 0)
        for (int64_t k = 0; k < 3; ++k)
          pieces.data[t * static_cast<size_t>(sub.slots()) + static_cast<size_t>(k)] =
              static_cast<int32_t>(row(rng));
    f.id_inputs.push_back({sub.pieces, &pieces});
  }
  std::normal_distribution<double> normal;
  for (ValueId v : m.graph->inputs()) {
    const graph::Value& input = m.graph->value(v);
    if (input.dtype != graph::DType::kReal) continue;
    graph::Shape shape = input.shape;
    shape[0] = batch;
    ops::Tensor<double>& t = f.reals.emplace_back(shape);
    for (double& x : t.data) x = input.name == "label" ? double(rng() % 2) : normal(rng);
    f.real_inputs.push_back({input.name, &t});
  }
  return f;
}

struct Run {
  std::vector<std::vector<double>> values;             // every node's output
  std::map<std::string, std::vector<double>> grads;    // every parameter's, after backward
  std::map<std::string, std::vector<double>> at_done;  // each, as backward announced it
};

Run run(const graph::Model& m, ValueId output, Stacking stacking, const Feeds& feeds,
        bool training) {
  runtime::ParameterStore<double> params(*m.graph, 7);
  runtime::Executor<double> exec(*m.graph, params, stacking);
  for (const auto& [name, t] : feeds.id_inputs) exec.feed_ids(name, t);
  for (const auto& [name, t] : feeds.real_inputs) exec.feed(name, t);
  std::vector<uint64_t> keys;
  for (int64_t b = 0; b < feeds.batch; ++b) keys.push_back(1000 + 7 * b);
  params.zero_grad();
  exec.forward(training, 5, keys);
  Run r;
  for (const graph::Node& node : m.graph->nodes()) {
    const auto& data = exec.value(node.output).data;
    r.values.emplace_back(data.begin(), data.end());
  }
  exec.backward(output, 1.0, [&](ValueId v) {
    const runtime::Parameter<double>* p = params.find(v);
    r.at_done[p->name] = std::vector<double>(p->grad.data.begin(), p->grad.data.end());
  });
  for (const auto& p : params.all())
    r.grads[p.name] = std::vector<double>(p.grad.data.begin(), p.grad.data.end());
  return r;
}

void check_same(const graph::Model& m, ValueId output, const Feeds& feeds, bool training) {
  const Run alone = run(m, output, Stacking::kOff, feeds, training);
  const Run stacked = run(m, output, Stacking::kShared, feeds, training);
  for (size_t n = 0; n < alone.values.size(); ++n) {
    CAPTURE(m.graph->nodes()[n].name);
    REQUIRE(alone.values[n].size() == stacked.values[n].size());
    CHECK(max_abs_diff(alone.values[n], stacked.values[n]) < 1e-12);
  }
  CHECK(alone.at_done.size() == alone.grads.size());
  CHECK(stacked.at_done.size() == stacked.grads.size());
  for (const auto& [name, grad] : alone.grads) {
    CAPTURE(name);
    CHECK(max_abs(grad) > 1e-8);
    CHECK(max_abs_diff(grad, stacked.grads.at(name)) < 1e-12);
    CHECK(max_abs_diff(stacked.at_done.at(name), stacked.grads.at(name)) == 0.0);
  }
}

// The loss of a built model, after checking the plan stacks what the test expects.
ValueId loss_of(const graph::Model& m, size_t expected_groups) {
  CHECK(graph::plan_stacking(*m.graph).groups.size() == expected_groups);
  REQUIRE(m.loss);
  return *m.loss;
}

const std::string kDenses = R"(model: t
inputs:
  x: {shape: [4]}
  y: {shape: [4]}
layers:
  a: {op: Dense, units: 3, activation: tanh}
graph:
  h1: a(x)
  h2: a(y)
outputs: [h1, h2]
)";

TEST_SUITE("autograd.stacking") {
  TEST_CASE("cosine network, dropout on: the same values and gradients stacked as alone") {
    const graph::Model m = shipped("models/cosine_siamese.yaml");
    const Feeds feeds = random_feeds(m, 6, 1);
    const ValueId loss = loss_of(m, 2);
    check_same(m, loss, feeds, true);
    check_same(m, loss, feeds, false);
    // The masks are in play: a training pass differs from an inference pass.
    const Run train = run(m, loss, Stacking::kShared, feeds, true);
    const Run infer = run(m, loss, Stacking::kShared, feeds, false);
    CHECK(max_abs_diff(train.values.back(), infer.values.back()) > 1e-6);
  }

  TEST_CASE("triplet network, dropout on: the same values and gradients stacked as alone") {
    const graph::Model m = shipped("models/triplet.yaml");
    check_same(m, loss_of(m, 4), random_feeds(m, 5, 2), true);
  }

  TEST_CASE("cosine network with subwords: the n-gram rows are stacked with the ids") {
    const graph::Model m = shipped("models/cosine_siamese.yaml", "    mask_zero: true",
                                   "    mask_zero: true\n    subwords: {buckets: 50}");
    check_same(m, loss_of(m, 2), random_feeds(m, 4, 3), true);
  }

  TEST_CASE("a member the output does not reach adds nothing to the shared gradient") {
    const graph::Model m = built(kDenses);
    REQUIRE(graph::plan_stacking(*m.graph).groups.size() == 1);
    check_same(m, m.outputs[0], random_feeds(m, 3, 4), false);
  }

  TEST_CASE("members given batches of different sizes run one by one") {
    const graph::Model m = built(kDenses);
    Feeds feeds = random_feeds(m, 3, 5);
    ops::Tensor<double>& y = feeds.reals.back();
    y = twinflow::testing::batch_rows(y, 0, 2);
    runtime::ParameterStore<double> params(*m.graph, 7);
    runtime::Executor<double> alone(*m.graph, params, Stacking::kOff);
    runtime::Executor<double> stacked(*m.graph, params, Stacking::kShared);
    for (runtime::Executor<double>* exec : {&alone, &stacked}) {
      exec->feed("x", &feeds.reals.front());
      exec->feed("y", &y);
      exec->forward(false, 0);
    }
    CHECK(stacked.value("h2").shape == graph::Shape{2, 3});
    for (const char* name : {"h1", "h2"})
      CHECK(max_abs_diff(alone.value(name).data, stacked.value(name).data) == 0.0);
  }
}

}  // namespace
}  // namespace twinflow::autograd
