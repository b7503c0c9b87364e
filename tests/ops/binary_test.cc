#include "ops/binary.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>

#include "autograd/tape.h"
#include "tests/testing/checks.h"
#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::kBatch;
using graph::NoAttrs;
using graph::Shape;
using graph::ValueInfo;
using testing::CaseInput;
using testing::OpCase;

const OpDef* const kBinaryOps[] = {&op_def<Add>(), &op_def<Sub>(),     &op_def<Mul>(),
                                   &op_def<Div>(), &op_def<Maximum>(), &op_def<Minimum>()};

bool is_select(const OpDef& op) { return op.name == "Maximum" || op.name == "Minimum"; }

// Random a, b of the given shapes; Div's b stays in [0.6, 1.5]. For Maximum and Minimum
// with equal shapes, b = a ± 0.3 (alternating) keeps every element off the tie a = b while
// both inputs win somewhere; broadcast shapes draw b independently (ties have probability 0).
OpCase binary_case(const OpDef& op, const Shape& a, const Shape& b) {
  OpCase c{fmt::format("{} {} {}", op.name, a.to_string(), b.to_string()), &op, NoAttrs{}, {}};
  c.inputs.push_back(testing::random_input(a));
  if (op.name == "Div") {
    c.inputs.push_back(testing::positive_input(b, 1.0, 0.5));
  } else if (is_select(op) && a == b) {
    std::vector<double> va = testing::random_normal(a.num_elements(), 5);
    std::vector<double> vb = va;
    for (size_t i = 0; i < vb.size(); ++i) vb[i] += i % 2 ? -0.3 : 0.3;
    c.inputs[0] = testing::given_input(a, std::move(va));
    c.inputs.push_back(testing::given_input(b, std::move(vb)));
  } else {
    c.inputs.push_back(testing::random_input(b));
  }
  return c;
}

// Shape pairs: equal (ranks 1..3, batch 1), and every kind of broadcast.
const std::pair<Shape, Shape> kShapePairs[] = {
    {Shape{5}, Shape{5}},
    {Shape{1, 4}, Shape{1, 4}},
    {Shape{3, 4}, Shape{3, 4}},
    {Shape{2, 3, 4}, Shape{2, 3, 4}},
    {Shape{3, 4}, Shape{4}},           // [B, D] with [D]
    {Shape{4}, Shape{3, 4}},           // [D] with [B, D]
    {Shape{3, 1}, Shape{3, 4}},        // [B, 1] with [B, D]
    {Shape{1, 4}, Shape{1, 1}},        // batch 1 with [1, 1]
    {Shape{}, Shape{3, 4}},            // scalar with [B, D]
    {Shape{3, 4}, Shape{}},            // [B, D] with scalar
    {Shape{2, 1, 4}, Shape{1, 3, 1}},  // [B, 1, D] with [1, T, 1]
    {Shape{2, 3, 4}, Shape{3, 1}},     // a middle axis
    {Shape{3, 4, 1}, Shape{4, 1}},     // trailing size-1 axes
};

std::vector<OpCase> binary_samples(const OpDef& op) {
  std::vector<OpCase> cases;
  for (const auto& [a, b] : kShapePairs) cases.push_back(binary_case(op, a, b));
  return cases;
}

std::vector<double> forward_of(const OpDef& op, const CaseInput& a, const CaseInput& b) {
  return testing::run_forward(OpCase{"", &op, NoAttrs{}, {a, b}});
}

const bool kBinarySamplesRegistered = [] {
  for (const OpDef* op : kBinaryOps)
    testing::register_op_samples(std::string(op->name), [op] { return binary_samples(*op); });
  return true;
}();

TEST_SUITE("ops") {
  TEST_CASE("Binary shape rule: numpy broadcasting with a symbolic batch") {
    CHECK(broadcast_shapes(Shape{kBatch, 3}, Shape{3}) == Shape{kBatch, 3});
    CHECK(broadcast_shapes(Shape{kBatch, 1}, Shape{kBatch, 4}) == Shape{kBatch, 4});
    CHECK(broadcast_shapes(Shape{}, Shape{kBatch, 4}) == Shape{kBatch, 4});
    CHECK(broadcast_shapes(Shape{kBatch, 4}, Shape{}) == Shape{kBatch, 4});
    CHECK(broadcast_shapes(Shape{kBatch, 1, 4}, Shape{1, 7, 1}) == Shape{kBatch, 7, 4});
    CHECK(broadcast_shapes(Shape{kBatch}, Shape{1}) == Shape{kBatch});
    CHECK(broadcast_shapes(Shape{1}, Shape{kBatch}) == Shape{kBatch});
    CHECK(broadcast_shapes(Shape{kBatch}, Shape{kBatch}) == Shape{kBatch});
    CHECK(broadcast_shapes(Shape{kBatch}, Shape{5}) == Shape{5});
    CHECK(broadcast_shapes(Shape{3, 4}, Shape{3, 4}) == Shape{3, 4});
    CHECK_THROWS_WITH_AS(broadcast_shapes(Shape{2, 3}, Shape{4}),
                         doctest::Contains("input 0 (a) [2, 3] with input 1 (b) [4]"),
                         graph::ShapeError);
    CHECK_THROWS_WITH_AS(broadcast_shapes(Shape{kBatch, 3}, Shape{2, 4}),
                         doctest::Contains("[B, 3] with input 1 (b) [2, 4]"), graph::ShapeError);
    CHECK_THROWS_AS(broadcast_shapes(Shape{2, 1}, Shape{3, 1}), graph::ShapeError);
    // Strides are kept for at most Shape::kMaxRank axes, which no shape can exceed.
    CHECK_THROWS_WITH_AS((Shape{1, 1, 1, 1, 1, 1, 1, 1, 2}),
                         "a tensor has at most 8 dimensions, not 9", graph::ShapeError);
    for (const OpDef* op : kBinaryOps) {
      CAPTURE(op->name);
      const std::vector<ValueInfo> ok{{Shape{kBatch, 1, 4}}, {Shape{3, 1}}};
      CHECK(op->infer_shape(NoAttrs{}, ok) == Shape{kBatch, 3, 4});
      const std::vector<ValueInfo> one{{Shape{2}}};
      CHECK_THROWS_WITH_AS(op->infer_shape(NoAttrs{}, one),
                           doctest::Contains("two inputs a, b, got 1"), graph::ShapeError);
      const std::vector<ValueInfo> ids{{Shape{2}}, {Shape{2}, graph::DType::kInt32}};
      CHECK_THROWS_WITH_AS(op->infer_shape(NoAttrs{}, ids),
                           doctest::Contains("input 1 (b) must be real"), graph::ShapeError);
      const std::vector<ValueInfo> bad{{Shape{2, 3}}, {Shape{2}}};
      CHECK_THROWS_AS(op->infer_shape(NoAttrs{}, bad), graph::ShapeError);
      CHECK((op->kink_d != nullptr) == is_select(*op));
    }
  }

  TEST_CASE("Binary forward matches hand-computed values") {
    const auto a = testing::given_input(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
    const auto row = testing::given_input(Shape{3}, {10, 20, 30});
    // [[1, 2, 3], [4, 5, 6]] op [10, 20, 30], the row repeated for each of the 2 rows
    testing::check_values(forward_of(op_def<Add>(), a, row), {11, 22, 33, 14, 25, 36});
    testing::check_values(forward_of(op_def<Sub>(), a, row), {-9, -18, -27, -6, -15, -24});
    testing::check_values(forward_of(op_def<Mul>(), a, row), {10, 40, 90, 40, 100, 180});
    testing::check_values(forward_of(op_def<Div>(), a, row), {0.1, 0.1, 0.1, 0.4, 0.25, 0.2});
    // a against a column [[2.5], [5]]: max per row → [2.5, 2.5, 3], [5, 5, 6]
    const auto col = testing::given_input(Shape{2, 1}, {2.5, 5});
    testing::check_values(forward_of(op_def<Maximum>(), a, col), {2.5, 2.5, 3, 5, 5, 6});
    testing::check_values(forward_of(op_def<Minimum>(), a, col), {1, 2, 2.5, 4, 5, 5});
    // scalar 2 − a and a / scalar 2
    const auto two = testing::given_input(Shape{}, {2});
    testing::check_values(forward_of(op_def<Sub>(), two, a), {1, 0, -1, -2, -3, -4});
    testing::check_values(forward_of(op_def<Div>(), a, two), {0.5, 1, 1.5, 2, 2.5, 3});
    // [2, 1, 2] + [1, 3, 1] → [2, 3, 2]: y[i, j, k] = a[i, 0, k] + b[0, j, 0]
    const auto a3 = testing::given_input(Shape{2, 1, 2}, {1, 2, 3, 4});
    const auto b3 = testing::given_input(Shape{1, 3, 1}, {10, 20, 30});
    testing::check_values(forward_of(op_def<Add>(), a3, b3), {11, 12, 21, 22, 31, 32,  //
                                                              13, 14, 23, 24, 33, 34});
  }

  TEST_CASE("Binary forward in float matches float64 on the strided path") {
    const OpCase c = binary_case(op_def<Mul>(), Shape{2, 1, 4}, Shape{1, 3, 1});
    const testing::BuiltCase b = testing::build_case(c);
    std::vector<Tensor<float>> inputs;
    for (graph::ValueId v : b.inputs) {
      const Tensor<double>& t = b.feeds.reals.at(v);
      inputs.emplace_back(t.shape);
      for (size_t i = 0; i < t.data.size(); ++i)
        inputs.back().data[i] = static_cast<float>(t.data[i]);
    }
    autograd::Tape<float> tape(b.graph);
    for (size_t i = 0; i < inputs.size(); ++i) tape.bind(b.inputs[i], &inputs[i]);
    tape.forward(false, 7);
    const std::vector<double> want = testing::run_forward(c);
    const std::vector<float>& got = tape.value(b.output).data;
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5));
  }

  TEST_CASE("Maximum and Minimum send the gradient of a tie to a") {
    // a = [1, 2, 5], b = [1, 3, 4]: element 0 ties, element 1 picks b for max, 2 picks a.
    OpCase c{
        "",
        &op_def<Maximum>(),
        NoAttrs{},
        {testing::given_input(Shape{3}, {1, 2, 5}), testing::given_input(Shape{3}, {1, 3, 4})}};
    auto g = testing::gradients_of(c, {1, 10, 100});
    testing::check_values(g[0], {1, 0, 100});
    testing::check_values(g[1], {0, 10, 0});
    c.op = &op_def<Minimum>();
    g = testing::gradients_of(c, {1, 10, 100});
    testing::check_values(g[0], {1, 10, 0});
    testing::check_values(g[1], {0, 0, 100});
    // broadcast b = [2]: a = [1, 2, 5] → max picks b, tie (a), a; the three dy sum into db.
    c.op = &op_def<Maximum>();
    c.inputs[1] = testing::given_input(Shape{1}, {2});
    g = testing::gradients_of(c, {1, 10, 100});
    testing::check_values(g[0], {0, 10, 100});
    testing::check_values(g[1], {1});
  }

  TEST_CASE("Binary gradients: every function, equal and broadcast shapes") {
    for (const OpDef* op : kBinaryOps) {
      for (const OpCase& c : binary_samples(*op)) {
        CAPTURE(c.label);
        const auto report = testing::check_op(c, 1e-6);
        INFO(report.to_string());
        CHECK(report.passed());
      }
    }
  }

  TEST_CASE("Binary backward adds into pre-filled gradients") {
    for (const OpDef* op : kBinaryOps) {
      for (const auto& [a, b] : kShapePairs) {
        const OpCase c = binary_case(*op, a, b);
        CAPTURE(c.label);
        CHECK(testing::accumulation_gap(c) < 1e-12);
      }
    }
  }

  TEST_CASE("Add and Sub adjoint identity, broadcasting included") {
    for (const OpDef* op : {&op_def<Add>(), &op_def<Sub>()}) {
      for (const auto& [a, b] : kShapePairs) {
        const OpCase c = binary_case(*op, a, b);
        CAPTURE(c.label);
        CHECK(testing::adjoint_gap(c) < 1e-12);
      }
    }
  }
}

}  // namespace
}  // namespace twinflow::ops
