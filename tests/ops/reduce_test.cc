#include "ops/reduce.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "autograd/tape.h"
#include "tests/testing/checks.h"
#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::kBatch;
using graph::ReduceAttrs;
using graph::Shape;
using graph::ValueInfo;
using testing::OpCase;

const OpDef* const kReduceOps[] = {&op_def<ReduceSum>(), &op_def<ReduceMean>(),
                                   &op_def<ReduceMax>()};

OpCase reduce_case(const OpDef& op, const Shape& x, int axis, bool keepdims) {
  return OpCase{
      fmt::format("{} {} axis={}{}", op.name, x.to_string(), axis, keepdims ? " keepdims" : ""),
      &op,
      ReduceAttrs{axis, keepdims},
      {testing::random_input(x)}};
}

// Every axis of ranks 1 to 3 (negative and positive spellings), with and without keepdims,
// batch 1 included.
std::vector<OpCase> reduce_samples(const OpDef& op) {
  std::vector<OpCase> cases;
  for (bool keepdims : {false, true}) {
    cases.push_back(reduce_case(op, Shape{5}, 0, keepdims));
    cases.push_back(reduce_case(op, Shape{1, 4}, -1, keepdims));
    cases.push_back(reduce_case(op, Shape{3, 4}, 0, keepdims));
    cases.push_back(reduce_case(op, Shape{3, 4}, 1, keepdims));
    for (int axis : {0, 1, -1}) cases.push_back(reduce_case(op, Shape{2, 3, 4}, axis, keepdims));
  }
  return cases;
}

std::vector<double> forward_of(const OpDef& op, const ReduceAttrs& a, const Shape& s,
                               std::vector<double> x) {
  return testing::run_forward(OpCase{"", &op, a, {testing::given_input(s, std::move(x))}});
}

// d(Σ dy ⊙ y)/dx for a one-input case.
std::vector<double> gradient_of(const OpCase& c, const std::vector<double>& dy) {
  testing::BuiltCase b = testing::build_case(c);
  autograd::Tape<double> tape(b.graph);
  for (auto& [v, t] : b.feeds.reals) tape.bind(v, &t);
  Tensor<double> dx(b.feeds.reals.at(b.inputs[0]).shape);
  tape.bind_grad(b.inputs[0], &dx);
  tape.forward(false, 7);
  Tensor<double> g(tape.value(b.output).shape);
  g.data = dy;
  tape.backward(b.output, g);
  return dx.data;
}

const bool kReduceSamplesRegistered = [] {
  for (const OpDef* op : kReduceOps)
    testing::register_op_samples(std::string(op->name), [op] { return reduce_samples(*op); });
  return true;
}();

TEST_SUITE("ops") {
  TEST_CASE("Reduce shape rule") {
    for (const OpDef* op : kReduceOps) {
      CAPTURE(op->name);
      const std::vector<ValueInfo> x{{Shape{kBatch, 5, 7}}};
      CHECK(op->infer_shape(ReduceAttrs{-1, false}, x) == Shape{kBatch, 5});
      CHECK(op->infer_shape(ReduceAttrs{-1, true}, x) == Shape{kBatch, 5, 1});
      CHECK(op->infer_shape(ReduceAttrs{1, false}, x) == Shape{kBatch, 7});
      CHECK(op->infer_shape(ReduceAttrs{-2, true}, x) == Shape{kBatch, 1, 7});
      CHECK(op->infer_shape(ReduceAttrs{0, false}, x) == Shape{5, 7});
      const std::vector<ValueInfo> vec{{Shape{4}}};
      CHECK(op->infer_shape(ReduceAttrs{0, false}, vec) == Shape{});
      CHECK(op->infer_shape(ReduceAttrs{0, true}, vec) == Shape{1});
      CHECK_THROWS_WITH_AS(op->infer_shape(ReduceAttrs{3, false}, x),
                           doctest::Contains("axis 3 is out of range for input 0 (x) of rank 3"),
                           graph::ShapeError);
      CHECK_THROWS_WITH_AS(op->infer_shape(ReduceAttrs{-4, false}, x),
                           doctest::Contains("axis -4 is out of range"), graph::ShapeError);
      const std::vector<ValueInfo> scalar{{Shape{}}};
      CHECK_THROWS_WITH_AS(op->infer_shape(ReduceAttrs{-1, false}, scalar),
                           doctest::Contains("of rank 0"), graph::ShapeError);
      const std::vector<ValueInfo> ids{{Shape{2, 3}, graph::DType::kInt32}};
      CHECK_THROWS_WITH_AS(op->infer_shape(ReduceAttrs{}, ids), doctest::Contains("must be real"),
                           graph::ShapeError);
      const std::vector<ValueInfo> two{{Shape{2}}, {Shape{2}}};
      CHECK_THROWS_WITH_AS(op->infer_shape(ReduceAttrs{}, two),
                           doctest::Contains("one input x, got 2"), graph::ShapeError);
      CHECK((op->kink_d != nullptr) == (op->name == "ReduceMax"));
    }
    const std::vector<ValueInfo> empty{{Shape{3, 0}}};
    CHECK(ReduceSum::infer_shape(ReduceAttrs{}, empty) == Shape{3});
    CHECK_THROWS_WITH_AS(ReduceMax::infer_shape(ReduceAttrs{}, empty),
                         doctest::Contains("no maximum"), graph::ShapeError);
    CHECK(ReduceMean::describe(ReduceAttrs{-1, true}) == "axis=-1, keepdims");
  }

  TEST_CASE("Reduce forward matches hand-computed values") {
    // x = [[1, 5, 3], [4, 2, 6]]
    const Shape s{2, 3};
    const std::vector<double> x{1, 5, 3, 4, 2, 6};
    testing::check_values(forward_of(op_def<ReduceSum>(), {-1, false}, s, x),
                          {9, 12});  // 1+5+3, 4+2+6
    testing::check_values(forward_of(op_def<ReduceSum>(), {0, true}, s, x),
                          {5, 7, 9});  // 1+4, 5+2, 3+6
    testing::check_values(forward_of(op_def<ReduceMean>(), {-1, true}, s, x), {3, 4});  // 9/3, 12/3
    testing::check_values(forward_of(op_def<ReduceMean>(), {0, false}, s, x), {2.5, 3.5, 4.5});
    testing::check_values(forward_of(op_def<ReduceMax>(), {1, false}, s, x), {5, 6});
    testing::check_values(forward_of(op_def<ReduceMax>(), {0, false}, s, x), {4, 5, 6});
    // x = 1..8 as [2, 2, 2], axis 1: [[1+3, 2+4], [5+7, 6+8]]
    const std::vector<double> x3{1, 2, 3, 4, 5, 6, 7, 8};
    testing::check_values(forward_of(op_def<ReduceSum>(), {1, false}, Shape{2, 2, 2}, x3),
                          {4, 6, 12, 14});
    testing::check_values(forward_of(op_def<ReduceMax>(), {1, true}, Shape{2, 2, 2}, x3),
                          {3, 4, 7, 8});
    // axis 0: [1+5, 2+6, 3+7, 4+8] / 2
    testing::check_values(forward_of(op_def<ReduceMean>(), {0, false}, Shape{2, 2, 2}, x3),
                          {3, 4, 5, 6});
  }

  TEST_CASE("Reduce backward by hand; ReduceMax sends ties to the first maximum") {
    const OpCase sum{"",
                     &op_def<ReduceSum>(),
                     ReduceAttrs{1, false},
                     {testing::given_input(Shape{2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8})}};
    // dy [2, 2] = [[1, 2], [3, 4]] is copied along the reduced axis 1.
    testing::check_values(gradient_of(sum, {1, 2, 3, 4}), {1, 2, 1, 2, 3, 4, 3, 4});
    OpCase mean = sum;
    mean.op = &op_def<ReduceMean>();
    testing::check_values(gradient_of(mean, {1, 2, 3, 4}), {0.5, 1, 0.5, 1, 1.5, 2, 1.5, 2});
    // rows [2, 7, 7] and [9, 1, 9]: the ties go to the first maximum
    const OpCase max{"",
                     &op_def<ReduceMax>(),
                     ReduceAttrs{-1, false},
                     {testing::given_input(Shape{2, 3}, {2, 7, 7, 9, 1, 9})}};
    testing::check_values(gradient_of(max, {10, 20}), {0, 10, 0, 20, 0, 0});
  }

  TEST_CASE("Reduce gradients: every axis, with and without keepdims") {
    for (const OpDef* op : kReduceOps) {
      for (const OpCase& c : reduce_samples(*op)) {
        CAPTURE(c.label);
        const auto report = testing::check_op(c, 1e-6);
        INFO(report.to_string());
        CHECK(report.passed());
      }
    }
  }

  TEST_CASE("Reduce backward adds into pre-filled gradients") {
    for (const OpDef* op : kReduceOps)
      for (int axis : {0, 1, 2}) {
        const OpCase c = reduce_case(*op, Shape{2, 3, 4}, axis, axis == 1);
        CAPTURE(c.label);
        CHECK(testing::accumulation_gap(c) < 1e-12);
      }
  }

  TEST_CASE("ReduceSum and ReduceMean adjoint identity") {
    for (const OpDef* op : {&op_def<ReduceSum>(), &op_def<ReduceMean>()})
      for (const OpCase& c : reduce_samples(*op)) {
        CAPTURE(c.label);
        CHECK(testing::adjoint_gap(c) < 1e-12);
      }
  }
}

}  // namespace
}  // namespace twinflow::ops
