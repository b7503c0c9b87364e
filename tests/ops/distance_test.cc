#include "ops/distance.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>

#include "autograd/tape.h"
#include "tests/testing/checks.h"
#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::CosineAttrs;
using graph::kBatch;
using graph::NormAttrs;
using graph::ReduceAttrs;
using graph::Shape;
using graph::ValueInfo;
using testing::CaseInput;
using testing::OpCase;

// The three ops share one (axis, keepdims) sweep; attrs_for builds each op's attribute struct.
std::any attrs_for(std::string_view op, int axis, bool keepdims) {
  if (op == "Dot") return ReduceAttrs{axis, keepdims};
  if (op == "L2Norm") return NormAttrs{axis, keepdims, 1e-8};
  return CosineAttrs{axis, keepdims, 1e-8};
}

OpCase distance_case(const OpDef& op, const Shape& s, int axis, bool keepdims) {
  OpCase c{
      fmt::format("{} {} axis={}{}", op.name, s.to_string(), axis, keepdims ? " keepdims" : ""),
      &op,
      attrs_for(op.name, axis, keepdims),
      {testing::random_input(s)}};
  if (op.min_inputs == 2) c.inputs.push_back(testing::random_input(s));
  return c;
}

std::vector<OpCase> distance_samples(const OpDef& op) {
  std::vector<OpCase> cases;
  for (bool keepdims : {true, false}) {
    cases.push_back(distance_case(op, Shape{4}, 0, keepdims));      // rank 1
    cases.push_back(distance_case(op, Shape{1, 5}, -1, keepdims));  // batch 1
    cases.push_back(distance_case(op, Shape{3, 4}, -1, keepdims));
    cases.push_back(distance_case(op, Shape{3, 4}, 0, keepdims));
    for (int axis : {-1, 1, 0}) cases.push_back(distance_case(op, Shape{2, 3, 4}, axis, keepdims));
  }
  return cases;
}

// Cosine at the similarities that matter: nearly parallel (b = a + 0.01 noise), exactly
// orthogonal pairs, and nearly opposite.
std::vector<OpCase> cosine_extremes() {
  const Shape s{3, 4};
  const std::vector<double> a = testing::random_normal(12, 21);
  const std::vector<double> noise = testing::random_normal(12, 22, 0.01);
  std::vector<double> near(12), opposite(12);
  for (size_t i = 0; i < 12; ++i) {
    near[i] = a[i] + noise[i];
    opposite[i] = -2.0 * a[i] + noise[i];
  }
  const OpDef& op = op_def<Cosine>();
  const CosineAttrs attrs{-1, true, 1e-8};
  // rows: (1, 0, 2, 0)·(0, 3, 0, 1) = 0, (1, 1, 0, 0)·(1, −1, 5, 0) = 0, (0, 0, 0, 2)·(3, 1, 4, 0)
  // = 0
  const std::vector<double> orth_a{1, 0, 2, 0, 1, 1, 0, 0, 0, 0, 0, 2};
  const std::vector<double> orth_b{0, 3, 0, 1, 1, -1, 5, 0, 3, 1, 4, 0};
  return {
      OpCase{"Cosine nearly parallel",
             &op,
             attrs,
             {testing::given_input(s, a), testing::given_input(s, near)}},
      OpCase{"Cosine nearly opposite",
             &op,
             attrs,
             {testing::given_input(s, a), testing::given_input(s, opposite)}},
      OpCase{"Cosine orthogonal",
             &op,
             attrs,
             {testing::given_input(s, orth_a), testing::given_input(s, orth_b)}},
  };
}

std::vector<double> forward_of(const OpDef& op, std::any attrs, std::vector<CaseInput> in) {
  return testing::run_forward(OpCase{"", &op, std::move(attrs), std::move(in)});
}

const bool kDistanceSamplesRegistered = [] {
  testing::register_op_samples("Dot", [] { return distance_samples(op_def<Dot>()); });
  testing::register_op_samples("L2Norm", [] { return distance_samples(op_def<L2Norm>()); });
  testing::register_op_samples("Cosine", [] {
    auto cases = distance_samples(op_def<Cosine>());
    for (OpCase& c : cosine_extremes()) cases.push_back(std::move(c));
    return cases;
  });
  return true;
}();

TEST_SUITE("ops") {
  TEST_CASE("Distance shape rules") {
    const std::vector<ValueInfo> pair{{Shape{kBatch, 4}}, {Shape{kBatch, 4}}};
    CHECK(Dot::infer_shape(ReduceAttrs{}, pair) == Shape{kBatch});
    CHECK(Dot::infer_shape(ReduceAttrs{-1, true}, pair) == Shape{kBatch, 1});
    CHECK(Cosine::infer_shape(CosineAttrs{}, pair) == Shape{kBatch, 1});  // keepdims by default
    CHECK(Cosine::infer_shape(CosineAttrs{0, false, 1e-8}, pair) == Shape{4});
    const std::vector<ValueInfo> mixed{{Shape{kBatch, 3, 4}}, {Shape{2, 3, kBatch}}};
    CHECK(Cosine::infer_shape(CosineAttrs{1, true, 1e-8}, mixed) == Shape{2, 1, 4});
    const std::vector<ValueInfo> x{{Shape{kBatch, 4}}};
    CHECK(L2Norm::infer_shape(NormAttrs{}, x) == Shape{kBatch, 1});
    CHECK(L2Norm::infer_shape(NormAttrs{0, false, 1e-8}, x) == Shape{4});

    const std::vector<ValueInfo> unequal{{Shape{kBatch, 4}}, {Shape{kBatch, 5}}};
    CHECK_THROWS_WITH_AS(Dot::infer_shape(ReduceAttrs{}, unequal),
                         doctest::Contains("input 0 (a) [B, 4] and input 1 (b) [B, 5]"),
                         graph::ShapeError);
    CHECK_THROWS_AS(Cosine::infer_shape(CosineAttrs{}, unequal), graph::ShapeError);
    const std::vector<ValueInfo> ranks{{Shape{2, 4}}, {Shape{4}}};
    CHECK_THROWS_WITH_AS(Cosine::infer_shape(CosineAttrs{}, ranks),
                         doctest::Contains("must have the same shape"), graph::ShapeError);
    CHECK_THROWS_WITH_AS(Cosine::infer_shape(CosineAttrs{2, true, 1e-8}, pair),
                         doctest::Contains("axis 2 is out of range for input 0 (a) of rank 2"),
                         graph::ShapeError);
    CHECK_THROWS_WITH_AS(L2Norm::infer_shape(NormAttrs{-3, true, 1e-8}, x),
                         doctest::Contains("axis -3 is out of range for input 0 (x) of rank 2"),
                         graph::ShapeError);
    CHECK_THROWS_WITH_AS(Dot::infer_shape(ReduceAttrs{}, x), doctest::Contains("expects a, b"),
                         graph::ShapeError);
    CHECK_THROWS_WITH_AS(L2Norm::infer_shape(NormAttrs{}, pair), doctest::Contains("expects x"),
                         graph::ShapeError);
    const std::vector<ValueInfo> ids{{Shape{2, 4}}, {Shape{2, 4}, graph::DType::kInt32}};
    CHECK_THROWS_WITH_AS(Dot::infer_shape(ReduceAttrs{}, ids),
                         doctest::Contains("input 1 must be real"), graph::ShapeError);
    CHECK((op_def<Dot>().kink_d == nullptr));
    CHECK((op_def<L2Norm>().kink_d != nullptr));
    CHECK((op_def<Cosine>().kink_d != nullptr));
  }

  TEST_CASE("Distance forward matches hand-computed values") {
    // a = (1, 2, 2), b = (2, 0, 1): a·b = 2 + 0 + 2 = 4, |a| = √9 = 3, |b| = √5,
    // cosine = 4 / (3√5) = 0.5962847939999439
    const auto a = testing::given_input(Shape{1, 3}, {1, 2, 2});
    const auto b = testing::given_input(Shape{1, 3}, {2, 0, 1});
    testing::check_values(forward_of(op_def<Dot>(), ReduceAttrs{}, {a, b}), {4});
    testing::check_values(forward_of(op_def<L2Norm>(), NormAttrs{}, {a}), {3});
    testing::check_values(forward_of(op_def<Cosine>(), CosineAttrs{}, {a, b}),
                          {0.5962847939999439});
    // rows: orthogonal (1, 0, 2)·(0, 3, 0) = 0; parallel b = 2a → 1; opposite b = −a → −1
    const auto a3 = testing::given_input(Shape{3, 3}, {1, 0, 2, 1, 2, 2, 1, 2, 2});
    const auto b3 = testing::given_input(Shape{3, 3}, {0, 3, 0, 2, 4, 4, -1, -2, -2});
    testing::check_values(forward_of(op_def<Cosine>(), CosineAttrs{}, {a3, b3}), {0, 1, -1});
    // axis 0 of [[1, 2], [3, 4]]: the columns (1, 3) and (2, 4); norms √10 and √20
    const auto m = testing::given_input(Shape{2, 2}, {1, 2, 3, 4});
    testing::check_values(forward_of(op_def<L2Norm>(), NormAttrs{0, false, 1e-8}, {m}),
                          {3.1622776601683795, 4.47213595499958});
    // columns against themselves: 1·1 + 3·3 = 10 and 2·2 + 4·4 = 20
    testing::check_values(forward_of(op_def<Dot>(), ReduceAttrs{0, true}, {m, m}), {10, 20});
  }

  TEST_CASE("Distance at zero vectors: Cosine gives 0 and L2Norm eps, gradients stay finite") {
    const auto zero = testing::given_input(Shape{2, 3}, {0, 0, 0, 0, 0, 0});
    const auto b = testing::given_input(Shape{2, 3}, {1, -2, 0.5, 0, 0, 0});
    const OpCase cosine{"", &op_def<Cosine>(), CosineAttrs{}, {zero, b}};
    testing::check_values(testing::run_forward(cosine), {0, 0});
    for (const auto& g : testing::gradients_of(cosine, {0.7, -1.3}))
      for (double v : g) CHECK(std::isfinite(v));
    const OpCase norm{"", &op_def<L2Norm>(), NormAttrs{}, {zero}};
    testing::check_values(testing::run_forward(norm), {1e-8, 1e-8});
    testing::check_values(testing::gradients_of(norm, {0.7, -1.3})[0],
                          {0, 0, 0, 0, 0, 0});  // below eps: constant
  }

  TEST_CASE("Distance gradients: every axis, keepdims, extreme cosines") {
    for (const OpDef* op : {&op_def<Dot>(), &op_def<L2Norm>(), &op_def<Cosine>()}) {
      std::vector<OpCase> cases = distance_samples(*op);
      if (op->name == "Cosine")
        for (OpCase& c : cosine_extremes()) cases.push_back(std::move(c));
      for (const OpCase& c : cases) {
        CAPTURE(c.label);
        const auto report = testing::check_op(c, 1e-6);
        INFO(report.to_string());
        CHECK(report.passed());
      }
    }
  }

  TEST_CASE("Distance backward adds into pre-filled gradients") {
    for (const OpDef* op : {&op_def<Dot>(), &op_def<L2Norm>(), &op_def<Cosine>()})
      for (int axis : {-1, 1, 0}) {
        const OpCase c = distance_case(*op, Shape{2, 3, 4}, axis, axis != 1);
        CAPTURE(c.label);
        CHECK(testing::accumulation_gap(c) < 1e-12);
      }
  }
}

}  // namespace
}  // namespace twinflow::ops
