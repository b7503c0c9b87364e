#include "ops/reverse_sequence.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::DType;
using graph::kBatch;
using graph::Shape;
using graph::ValueInfo;
using testing::OpCase;

OpCase reverse_case(Shape x, std::vector<int32_t> ids = {}) {
  OpCase c{fmt::format("ReverseSequence {}{}", x.to_string(), ids.empty() ? "" : " with ids"),
           &op_def<ReverseSequence>(),
           graph::NoAttrs{},
           {}};
  c.inputs.push_back(testing::random_input(x));
  if (!ids.empty()) c.inputs.push_back(testing::ids_input(Shape{x[0], x[1]}, std::move(ids)));
  return c;
}

std::vector<OpCase> reverse_samples() {
  return {
      reverse_case(Shape{1, 3, 2}),                                  // batch 1, no ids
      reverse_case(Shape{2, 4, 3}, {4, 9, 0, 0, 1, 2, 3, 5}),        // post-padding
      reverse_case(Shape{3, 3, 2, 2}, {0, 0, 0, 7, 0, 4, 1, 1, 0}),  // rank 4, gaps
      reverse_case(Shape{2, 5}, {1, 1, 1, 0, 0, 2, 2, 2, 2, 2}),     // rank 2
  };
}

const bool kReverseSequenceSamplesRegistered =
    (testing::register_op_samples("ReverseSequence", reverse_samples), true);

TEST_SUITE("ops") {
  TEST_CASE("ReverseSequence shape rule") {
    const graph::NoAttrs a;
    const ValueInfo x{Shape{kBatch, 30, 8}};
    const ValueInfo ids{Shape{kBatch, 30}, DType::kInt32};
    CHECK(ReverseSequence::infer_shape(a, std::vector<ValueInfo>{x, ids}) == Shape{kBatch, 30, 8});
    CHECK(ReverseSequence::infer_shape(a, std::vector<ValueInfo>{x}) == Shape{kBatch, 30, 8});
    CHECK(ReverseSequence::infer_shape(a, std::vector<ValueInfo>{{Shape{2, 3, 4, 5}}}) ==
          Shape{2, 3, 4, 5});
    auto fails = [&a](std::vector<ValueInfo> in, const char* message) {
      CHECK_THROWS_WITH_AS(ReverseSequence::infer_shape(a, in), doctest::Contains(message),
                           graph::ShapeError);
    };
    fails({}, "expects x, [ids] (1 or 2 inputs), got 0");
    fails({x, ids, ids}, "expects x, [ids] (1 or 2 inputs), got 3");
    fails({ValueInfo{Shape{5}}}, "input 0 (x) must be [B, T, ...] (rank 2 or more), got [5]");
    fails({ids}, "input 0 (x) must be real");
    fails({x, ValueInfo{Shape{kBatch, 30}}}, "input 1 (ids) must be int32");
    fails({x, ValueInfo{Shape{kBatch, 29}, DType::kInt32}},
          "input 1 (ids) must be [B, T] = [B, 30] to match x [B, 30, 8], got [B, 29]");
  }

  TEST_CASE("ReverseSequence forward reverses each sample's real steps") {
    // x[b, t] = 10·b + t (one feature). Sample 0 has ids [3, 5, 0, 0]: L = 2, so
    // [0, 1, 2, 3] → [1, 0, 2, 3]. Sample 1 has ids [1, 0, 2, 0]: the last non-zero id is at
    // t = 2, L = 3: [10, 11, 12, 13] → [12, 11, 10, 13]. Sample 2 has no real id: unchanged.
    OpCase c = reverse_case(Shape{3, 4, 1}, {3, 5, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0});
    c.inputs[0].values = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23};
    CHECK(testing::run_forward(c) ==
          std::vector<double>{1, 0, 2, 3, 12, 11, 10, 13, 20, 21, 22, 23});
    // Without ids every sample reverses in full; feature rows move as a whole.
    OpCase full = reverse_case(Shape{1, 3, 2});
    full.inputs[0].values = {1, 2, 3, 4, 5, 6};
    CHECK(testing::run_forward(full) == std::vector<double>{5, 6, 3, 4, 1, 2});
  }

  TEST_CASE("ReverseSequence is its own adjoint") {
    for (const OpCase& c : reverse_samples()) {
      CAPTURE(c.label);
      CHECK(testing::adjoint_gap(c) < 1e-12);
    }
  }

  TEST_CASE("ReverseSequence gradients") {
    double worst = 0.0;
    for (const OpCase& c : reverse_samples()) {
      CAPTURE(c.label);
      const auto report = testing::check_op(c, 1e-6);
      INFO(report.to_string());
      CHECK(report.passed());
      worst = std::max(worst, report.worst_error());
    }
    MESSAGE("ReverseSequence worst relative gradient error ", worst);
  }

  TEST_CASE("ReverseSequence backward adds into pre-filled gradients") {
    CHECK(testing::accumulation_gap(reverse_case(Shape{2, 4, 3}, {4, 9, 0, 0, 1, 2, 3, 5})) <
          1e-12);
  }
}

}  // namespace
}  // namespace twinflow::ops
