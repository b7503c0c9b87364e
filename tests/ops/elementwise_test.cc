#include "ops/elementwise.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "autograd/tape.h"
#include "tests/testing/checks.h"
#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::NoAttrs;
using graph::Shape;
using graph::ValueInfo;
using testing::CaseInput;
using testing::OpCase;

const OpDef* const kUnaryOps[] = {&op_def<Neg>(),  &op_def<Exp>(),     &op_def<Log>(),
                                  &op_def<Sqrt>(), &op_def<Square>(),  &op_def<Abs>(),
                                  &op_def<Tanh>(), &op_def<Sigmoid>(), &op_def<Relu>()};

// Values at least 0.2 away from 0 with alternating signs: Abs and Relu stay off their kink.
CaseInput off_zero_input(const Shape& s, uint64_t seed) {
  std::vector<double> v = testing::random_normal(s.num_elements(), seed);
  for (size_t i = 0; i < v.size(); ++i) v[i] = (i % 2 ? -1.0 : 1.0) * (0.2 + std::abs(v[i]));
  return testing::given_input(s, std::move(v));
}

// The input each function is checked on: positive for Log and Sqrt, off zero for the kinked.
CaseInput input_for(const OpDef& op, const Shape& s, uint64_t seed) {
  const std::string_view name = op.name;
  if (name == "Log" || name == "Sqrt") return testing::positive_input(s);
  if (name == "Abs" || name == "Relu") return off_zero_input(s, seed);
  return testing::random_input(s);
}

OpCase unary_case(const OpDef& op, const Shape& s, uint64_t seed = 11) {
  return OpCase{
      fmt::format("{} {}", op.name, s.to_string()), &op, NoAttrs{}, {input_for(op, s, seed)}};
}

std::vector<OpCase> unary_samples(const OpDef& op) {
  std::vector<OpCase> cases;
  for (const Shape& s : {Shape{}, Shape{5}, Shape{1, 4}, Shape{3, 4}, Shape{2, 3, 2}})
    cases.push_back(unary_case(op, s));
  return cases;
}

std::vector<double> forward_of(const OpDef& op, std::vector<double> x) {
  const Shape s{static_cast<int64_t>(x.size())};
  return testing::run_forward(OpCase{"", &op, NoAttrs{}, {testing::given_input(s, std::move(x))}});
}

const bool kElementwiseSamplesRegistered = [] {
  for (const OpDef* op : kUnaryOps)
    testing::register_op_samples(std::string(op->name), [op] { return unary_samples(*op); });
  return true;
}();

TEST_SUITE("ops") {
  TEST_CASE("Unary shape rule") {
    for (const OpDef* op : kUnaryOps) {
      CAPTURE(op->name);
      const std::vector<ValueInfo> batch{{Shape{graph::kBatch, 3}}};
      CHECK(op->infer_shape(NoAttrs{}, batch) == Shape{graph::kBatch, 3});
      const std::vector<ValueInfo> scalar{{Shape{}}};
      CHECK(op->infer_shape(NoAttrs{}, scalar) == Shape{});
      const std::vector<ValueInfo> rank3{{Shape{2, 7, 5}}};
      CHECK(op->infer_shape(NoAttrs{}, rank3) == Shape{2, 7, 5});
      const std::vector<ValueInfo> two{{Shape{2}}, {Shape{2}}};
      CHECK_THROWS_WITH_AS(op->infer_shape(NoAttrs{}, two), doctest::Contains("one input x, got 2"),
                           graph::ShapeError);
      const std::vector<ValueInfo> ids{{Shape{2, 3}, graph::DType::kInt32}};
      CHECK_THROWS_WITH_AS(op->infer_shape(NoAttrs{}, ids), doctest::Contains("must be real"),
                           graph::ShapeError);
      // Only the kinked functions tell the gradient checker which branch they took.
      const bool kinked = op->name == "Abs" || op->name == "Relu";
      CHECK((op->kink_d != nullptr) == kinked);
    }
  }

  TEST_CASE("Unary forward matches hand-computed values") {
    const std::vector<double> x{-2, -0.5, 0.5, 1, 4};
    testing::check_values(forward_of(op_def<Neg>(), x), {2, 0.5, -0.5, -1, -4});
    testing::check_values(forward_of(op_def<Square>(), x), {4, 0.25, 0.25, 1, 16});
    testing::check_values(forward_of(op_def<Abs>(), x), {2, 0.5, 0.5, 1, 4});
    testing::check_values(forward_of(op_def<Relu>(), x), {0, 0, 0.5, 1, 4});
    // e^-2, e^-0.5, e^0.5, e, e^4
    testing::check_values(forward_of(op_def<Exp>(), x),
                          {0.1353352832366127, 0.6065306597126334, 1.6487212707001282,
                           2.718281828459045, 54.598150033144236});
    // (e^2x − 1) / (e^2x + 1): tanh(−2) = (e^−4 − 1) / (e^−4 + 1) = −0.96403, ...
    testing::check_values(forward_of(op_def<Tanh>(), x),
                          {-0.9640275800758169, -0.46211715726000974, 0.46211715726000974,
                           0.7615941559557649, 0.999329299739067});
    // 1 / (1 + e^−x): 1 / (1 + e^2) = 0.11920, 1 / (1 + e^0.5) = 0.37754, ...
    testing::check_values(forward_of(op_def<Sigmoid>(), x),
                          {0.11920292202211755, 0.3775406687981454, 0.6224593312018546,
                           0.7310585786300049, 0.9820137900379085});
    // ln(1/4) = −2 ln 2 = −1.3862943611198906, ln 1 = 0, ln 4, ln e = 1
    testing::check_values(forward_of(op_def<Log>(), {0.25, 1, 4, std::exp(1.0)}),
                          {-1.3862943611198906, 0, 1.3862943611198906, 1});
    // √(1/4) = 1/2, √1, √4, √e = e^0.5
    testing::check_values(forward_of(op_def<Sqrt>(), {0.25, 1, 4, std::exp(1.0)}),
                          {0.5, 1, 2, 1.6487212707001282});
  }

  TEST_CASE("Unary edge values: IEEE results instead of failures, no sigmoid overflow") {
    const auto log = forward_of(op_def<Log>(), {0, -1});
    CHECK(log[0] == -std::numeric_limits<double>::infinity());
    CHECK(std::isnan(log[1]));
    const auto sqrt = forward_of(op_def<Sqrt>(), {0, -1});
    CHECK(sqrt[0] == 0.0);
    CHECK(std::isnan(sqrt[1]));
    // The naive 1 / (1 + e^−x) overflows e^1000 to inf; the two-branch form does not.
    testing::check_values(forward_of(op_def<Sigmoid>(), {-1000, 1000}), {0, 1});
    OpCase far = unary_case(op_def<Sigmoid>(), Shape{2});
    far.inputs[0] = testing::given_input(Shape{2}, {-1000, 1000});
    const auto report = testing::check_op(far, 1e-6);
    INFO(report.to_string());
    CHECK(report.passed());  // the gradient y(1 − y) is an exact 0, not NaN

    // float: e^100 already overflows there.
    graph::Graph g;
    const graph::ValueId x = g.add_input("x", Shape{2});
    const graph::ValueId y = g.add_node(op_def<Sigmoid>(), NoAttrs{}, {x}, "y");
    Tensor<float> xs(Shape{2});
    xs.data = {-100.0f, 100.0f};
    autograd::Tape<float> tape(g);
    tape.bind(x, &xs);
    tape.forward(false, 1);
    CHECK(tape.value(y).data[0] >= 0.0f);  // e^−100 / (1 + e^−100) ≈ 3.7e−44, a denormal
    CHECK(tape.value(y).data[0] < 1e-40f);
    CHECK(tape.value(y).data[1] == 1.0f);
  }

  TEST_CASE("Unary gradients: every function, ranks 0 to 3, batch 1") {
    for (const OpDef* op : kUnaryOps) {
      for (const OpCase& c : unary_samples(*op)) {
        CAPTURE(c.label);
        const auto report = testing::check_op(c, 1e-6);
        INFO(report.to_string());
        CHECK(report.passed());
      }
    }
  }

  TEST_CASE("Unary backward adds into pre-filled gradients") {
    for (const OpDef* op : kUnaryOps) {
      CAPTURE(op->name);
      CHECK(testing::accumulation_gap(unary_case(*op, Shape{3, 4})) < 1e-12);
    }
  }

  TEST_CASE("Neg adjoint identity") {
    for (const Shape& s : {Shape{}, Shape{7}, Shape{3, 4}, Shape{2, 3, 4}}) {
      CAPTURE(s.to_string());
      CHECK(testing::adjoint_gap(unary_case(op_def<Neg>(), s)) < 1e-12);
    }
  }
}

}  // namespace
}  // namespace twinflow::ops
