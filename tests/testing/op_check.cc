#include "tests/testing/op_check.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "autograd/tape.h"

namespace twinflow::testing {

using autograd::Tape;
using ops::Tensor;

std::vector<double> random_normal(int64_t n, uint64_t seed, double scale) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, scale);
  std::vector<double> out(static_cast<size_t>(n));
  for (double& v : out) v = normal(rng);
  return out;
}

CaseInput random_input(Shape shape, double scale, double offset) {
  CaseInput c;
  c.shape = std::move(shape);
  c.scale = scale;
  c.offset = offset;
  return c;
}

CaseInput positive_input(Shape shape, double scale, double offset) {
  CaseInput c = random_input(std::move(shape), scale, offset);
  c.positive = true;
  return c;
}

CaseInput given_input(Shape shape, std::vector<double> values) {
  CaseInput c;
  c.shape = std::move(shape);
  c.values = std::move(values);
  return c;
}

CaseInput ids_input(Shape shape, std::vector<int32_t> ids) {
  CaseInput c;
  c.shape = std::move(shape);
  c.ids = std::move(ids);
  c.differentiable = false;
  return c;
}

CaseInput constant_input(Shape shape, std::vector<double> values) {
  CaseInput c = given_input(std::move(shape), std::move(values));
  c.differentiable = false;
  return c;
}

BuiltCase build_case(const OpCase& c, uint64_t seed) {
  BuiltCase b;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.1, 1.0);
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const CaseInput& in = c.inputs[i];
    const bool is_ids = !in.ids.empty();
    const graph::ValueId v = b.graph.add_input("in" + std::to_string(i), in.shape,
                                               is_ids ? graph::DType::kInt32 : graph::DType::kReal);
    b.inputs.push_back(v);
    if (is_ids) {
      ops::IdTensor t(in.shape);
      t.data = in.ids;
      b.feeds.ids.emplace(v, std::move(t));
      continue;
    }
    Tensor<double> t(in.shape);
    if (!in.values.empty()) {
      t.data = in.values;
    } else {
      for (double& x : t.data)
        x = in.offset + in.scale * (in.positive ? uniform(rng) : normal(rng));
    }
    b.feeds.reals.emplace(v, std::move(t));
    if (in.differentiable) b.differentiable.push_back(v);
  }
  b.output = b.graph.add_node(*c.op, c.attrs, b.inputs, "y");
  return b;
}

autograd::GradCheckReport check_op(const OpCase& c, double tolerance, uint64_t seed) {
  BuiltCase b = build_case(c, seed);
  std::map<graph::ValueId, Tensor<double>> no_params;
  autograd::GradCheckOptions options;
  options.tolerance = tolerance;
  options.training = c.training;
  return autograd::check_gradients(b.graph, b.feeds, no_params, b.output, b.differentiable,
                                   options);
}

namespace {

Tape<double> bound_tape(BuiltCase& b) {
  Tape<double> tape(b.graph);
  for (auto& [v, t] : b.feeds.reals) tape.bind(v, &t);
  for (auto& [v, t] : b.feeds.ids) tape.bind_ids(v, &t);
  return tape;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

std::vector<double> run_forward(const OpCase& c, uint64_t seed) {
  BuiltCase b = build_case(c, seed);
  Tape<double> tape = bound_tape(b);
  tape.forward(c.training, seed);
  return tape.value(b.output).data;
}

template <typename T>
CaseRun<T> run_case(const OpCase& c, std::vector<double> dy, uint64_t seed) {
  BuiltCase b = build_case(c, seed);
  autograd::Tape<T> tape(b.graph);
  std::map<graph::ValueId, Tensor<T>> values, grads;
  for (auto& [v, t] : b.feeds.reals) {
    Tensor<T>& value = values.emplace(v, Tensor<T>(t.shape)).first->second;
    std::transform(t.data.begin(), t.data.end(), value.data.begin(),
                   [](double x) { return static_cast<T>(x); });
    tape.bind(v, &value);
  }
  for (auto& [v, t] : b.feeds.ids) tape.bind_ids(v, &t);
  for (graph::ValueId v : b.differentiable)
    tape.bind_grad(v, &grads.emplace(v, Tensor<T>(values.at(v).shape)).first->second);
  tape.forward(c.training, seed);
  Tensor<T> g(tape.value(b.output).shape);
  if (dy.empty()) dy = random_normal(g.size(), 5);
  std::transform(dy.begin(), dy.end(), g.data.begin(), [](double x) { return static_cast<T>(x); });
  tape.backward(b.output, g);
  CaseRun<T> out{tape.value(b.output).data, {}};
  for (graph::ValueId v : b.inputs)
    out.grads.push_back(grads.count(v) ? std::vector<T>(grads.at(v).data) : std::vector<T>{});
  return out;
}

template CaseRun<float> run_case(const OpCase&, std::vector<double>, uint64_t);
template CaseRun<double> run_case(const OpCase&, std::vector<double>, uint64_t);

std::vector<std::vector<double>> gradients_of(const OpCase& c, const std::vector<double>& dy,
                                              uint64_t seed) {
  CaseRun<double> run = run_case<double>(c, dy, seed);
  std::vector<std::vector<double>> out;
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (c.inputs[i].ids.empty() && c.inputs[i].differentiable) out.push_back(run.grads[i]);
  return out;
}

double adjoint_gap(const OpCase& c, uint64_t seed) {
  BuiltCase b = build_case(c, seed);
  Tape<double> tape = bound_tape(b);
  std::map<graph::ValueId, Tensor<double>> grads;
  for (graph::ValueId v : b.differentiable) {
    grads.emplace(v, Tensor<double>(b.feeds.reals.at(v).shape));
    tape.bind_grad(v, &grads.at(v));
  }
  tape.forward(false, seed);
  Tensor<double> y(tape.value(b.output).shape);
  y.data = random_normal(y.size(), seed + 1);
  const double lhs = dot(tape.value(b.output).data, y.data);
  tape.backward(b.output, y);
  double rhs = 0.0;
  for (graph::ValueId v : b.differentiable) rhs += dot(b.feeds.reals.at(v).data, grads.at(v).data);
  return std::abs(lhs - rhs) / std::max(std::abs(lhs), 1.0);
}

double accumulation_gap(const OpCase& c, uint64_t seed) {
  BuiltCase b = build_case(c, seed);
  Tape<double> tape = bound_tape(b);
  tape.forward(c.training, seed);
  Tensor<double> dy(tape.value(b.output).shape);
  dy.data = random_normal(dy.size(), seed + 2);
  std::map<graph::ValueId, Tensor<double>> fresh, prefilled, prefill;
  for (graph::ValueId v : b.differentiable) {
    const Shape& s = b.feeds.reals.at(v).shape;
    fresh.emplace(v, Tensor<double>(s));
    prefill.emplace(v, Tensor<double>(s));
    prefill.at(v).data = random_normal(prefill.at(v).size(), seed + 3 + static_cast<uint64_t>(v));
    prefilled.emplace(v, prefill.at(v));
  }
  for (graph::ValueId v : b.differentiable) tape.bind_grad(v, &fresh.at(v));
  tape.backward(b.output, dy);
  for (graph::ValueId v : b.differentiable) tape.bind_grad(v, &prefilled.at(v));
  tape.backward(b.output, dy);
  double worst = 0.0;
  for (graph::ValueId v : b.differentiable)
    for (size_t i = 0; i < fresh.at(v).data.size(); ++i)
      worst = std::max(
          worst, std::abs(prefilled.at(v).data[i] - (prefill.at(v).data[i] + fresh.at(v).data[i])));
  return worst;
}

namespace {
std::vector<std::pair<std::string, std::function<std::vector<OpCase>()>>>& samples() {
  static std::vector<std::pair<std::string, std::function<std::vector<OpCase>()>>> s;
  return s;
}
}  // namespace

void register_op_samples(const std::string& op_name, std::function<std::vector<OpCase>()> make) {
  samples().emplace_back(op_name, std::move(make));
}

const std::vector<std::pair<std::string, std::function<std::vector<OpCase>()>>>& op_samples() {
  return samples();
}

}  // namespace twinflow::testing
