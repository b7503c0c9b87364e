#include "ops/pooling.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/testing/checks.h"
#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::DType;
using graph::kBatch;
using graph::Shape;
using graph::ValueInfo;
using testing::OpCase;

const OpDef* const kPoolOps[] = {&op_def<GlobalAveragePooling1D>(), &op_def<GlobalMaxPooling1D>()};

OpCase pool_case(const OpDef& op, Shape x, std::vector<int32_t> ids = {}) {
  OpCase c{fmt::format("{} {}{}", op.name, x.to_string(), ids.empty() ? "" : " with ids"),
           &op,
           graph::NoAttrs{},
           {testing::random_input(x)}};
  if (!ids.empty()) c.inputs.push_back(testing::ids_input(Shape{x[0], x[1]}, std::move(ids)));
  return c;
}

// Random x (no two values of a column tie, so the maximum is never at a kink), with and
// without ids: post-padding, a gap in the middle, a row of padding only, batch 1.
std::vector<OpCase> pool_samples(const OpDef& op) {
  return {
      pool_case(op, Shape{1, 3, 2}),
      pool_case(op, Shape{2, 4, 3}, {4, 9, 0, 0, 1, 2, 3, 5}),
      pool_case(op, Shape{3, 3, 2}, {0, 0, 0, 7, 0, 4, 1, 1, 0}),
  };
}

const bool kPoolSamplesRegistered = [] {
  for (const OpDef* op : kPoolOps)
    testing::register_op_samples(std::string(op->name), [op] { return pool_samples(*op); });
  return true;
}();

// x [2, 4, 2]: sample 0 has ids [5, 0, 3, 0] (a gap: steps 0 and 2 are real), sample 1 only
// padding; x[b, t] = (10·b + t, −(10·b + t)) but for step 2 of sample 0, which is (7, 9).
OpCase hand_case(const OpDef& op, bool with_ids) {
  OpCase c =
      pool_case(op, Shape{2, 4, 2},
                with_ids ? std::vector<int32_t>{5, 0, 3, 0, 0, 0, 0, 0} : std::vector<int32_t>{});
  c.inputs[0].values = {0, 0, 1, -1, 7, 9, 3, -3, 10, -10, 11, -11, 12, -12, 13, -13};
  return c;
}

TEST_SUITE("ops") {
  TEST_CASE("GlobalPooling1D shape rule") {
    for (const OpDef* op : kPoolOps) {
      CAPTURE(op->name);
      const graph::NoAttrs a;
      const ValueInfo x{Shape{kBatch, 30, 8}};
      const ValueInfo ids{Shape{kBatch, 30}, DType::kInt32};
      CHECK(op->infer_shape(a, std::vector<ValueInfo>{x, ids}) == Shape{kBatch, 8});
      CHECK(op->infer_shape(a, std::vector<ValueInfo>{x}) == Shape{kBatch, 8});
      CHECK(op->infer_shape(a, std::vector<ValueInfo>{{Shape{2, 0, 3}}}) == Shape{2, 3});
      auto fails = [&](std::vector<ValueInfo> in, const char* message) {
        CHECK_THROWS_WITH_AS(op->infer_shape(a, in), doctest::Contains(message), graph::ShapeError);
      };
      fails({}, "expects x, [ids] (1 or 2 inputs), got 0");
      fails({x, ids, ids}, "expects x, [ids] (1 or 2 inputs), got 3");
      fails({ids}, "input 0 (x) must be real");
      fails({ValueInfo{Shape{kBatch, 8}}}, "input 0 (x) must be [B, T, E] (rank 3), got [B, 8]");
      fails({ValueInfo{Shape{2, 3, 4, 5}}}, "must be [B, T, E] (rank 3), got [2, 3, 4, 5]");
      fails({x, ValueInfo{Shape{kBatch, 30}}}, "input 1 (ids) must be int32");
      fails({x, ValueInfo{Shape{kBatch, 29}, DType::kInt32}},
            "input 1 (ids) must be [B, T] = [B, 30] to match x [B, 30, 8], got [B, 29]");
      CHECK((op->kink_d != nullptr) == (op->name == "GlobalMaxPooling1D"));
    }
  }

  TEST_CASE("GlobalPooling1D forward: over the real steps only; a row of padding gives 0") {
    // Masked: sample 0 pools steps 0 and 2, (0, 0) and (7, 9); sample 1 has no real step.
    testing::check_values(testing::run_forward(hand_case(op_def<GlobalAveragePooling1D>(), true)),
                          {3.5, 4.5, 0, 0});
    testing::check_values(testing::run_forward(hand_case(op_def<GlobalMaxPooling1D>(), true)),
                          {7, 9, 0, 0});
    // Unmasked: every step. Sample 0: (0 + 1 + 7 + 3) / 4 = 2.75, (0 − 1 + 9 − 3) / 4 = 1.25;
    // sample 1: (10 + 11 + 12 + 13) / 4 = 11.5 and its negation.
    testing::check_values(testing::run_forward(hand_case(op_def<GlobalAveragePooling1D>(), false)),
                          {2.75, 1.25, 11.5, -11.5});
    testing::check_values(testing::run_forward(hand_case(op_def<GlobalMaxPooling1D>(), false)),
                          {7, 9, 13, -10});
  }

  TEST_CASE("GlobalPooling1D backward by hand: padding gets no gradient") {
    const std::vector<double> dy{2, 4, 100, 200};
    // Average, masked: dy / 2 to steps 0 and 2 of sample 0, nothing to sample 1.
    testing::check_values(
        testing::gradients_of(hand_case(op_def<GlobalAveragePooling1D>(), true), dy).at(0),
        {1, 2, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    // Max, masked: both maxima sit at step 2 of sample 0.
    testing::check_values(
        testing::gradients_of(hand_case(op_def<GlobalMaxPooling1D>(), true), dy).at(0),
        {0, 0, 0, 0, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    // Max, unmasked: sample 1's maxima are at step 3 (13) and step 0 (−10).
    testing::check_values(
        testing::gradients_of(hand_case(op_def<GlobalMaxPooling1D>(), false), dy).at(0),
        {0, 0, 0, 0, 2, 4, 0, 0, 0, 200, 0, 0, 0, 0, 100, 0});
    // Average, unmasked: dy / 4 everywhere.
    testing::check_values(
        testing::gradients_of(hand_case(op_def<GlobalAveragePooling1D>(), false), dy).at(0),
        {0.5, 1, 0.5, 1, 0.5, 1, 0.5, 1, 25, 50, 25, 50, 25, 50, 25, 50});
  }

  TEST_CASE("GlobalMaxPooling1D sends a tie to the first real step holding it") {
    // One sample, ids [0, 2, 3, 4]: steps 1 and 3 tie at 5; the padding step 0 holds 9.
    OpCase c = pool_case(op_def<GlobalMaxPooling1D>(), Shape{1, 4, 1}, {0, 2, 3, 4});
    c.inputs[0].values = {9, 5, 1, 5};
    testing::check_values(testing::run_forward(c), {5});
    testing::check_values(testing::gradients_of(c, {3}).at(0), {0, 3, 0, 0});
  }

  TEST_CASE("GlobalPooling1D gradients against central differences") {
    for (const OpDef* op : kPoolOps)
      for (const OpCase& c : pool_samples(*op)) {
        CAPTURE(c.label);
        const auto report = testing::check_op(c, 1e-6);
        INFO(report.to_string());
        CHECK(report.passed());
      }
  }

  TEST_CASE("GlobalPooling1D backward adds into pre-filled gradients") {
    for (const OpDef* op : kPoolOps)
      for (const OpCase& c : pool_samples(*op)) {
        CAPTURE(c.label);
        CHECK(testing::accumulation_gap(c) < 1e-12);
      }
  }

  TEST_CASE("GlobalAveragePooling1D adjoint identity") {
    for (const OpCase& c : pool_samples(op_def<GlobalAveragePooling1D>())) {
      CAPTURE(c.label);
      CHECK(testing::adjoint_gap(c) < 1e-12);
    }
  }
}

}  // namespace
}  // namespace twinflow::ops
