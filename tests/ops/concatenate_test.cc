#include "ops/concatenate.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::ConcatenateAttrs;
using graph::Shape;
using graph::ValueInfo;
using testing::OpCase;

OpCase concatenate_case(std::vector<Shape> xs, int axis) {
  std::string shapes;
  for (const Shape& s : xs) shapes += (shapes.empty() ? "" : " + ") + s.to_string();
  OpCase c{fmt::format("Concatenate {} axis {}", shapes, axis),
           &op_def<Concatenate>(),
           ConcatenateAttrs{axis},
           {}};
  for (Shape& s : xs) c.inputs.push_back(testing::random_input(std::move(s)));
  return c;
}

std::vector<OpCase> concatenate_samples() {
  return {
      concatenate_case({Shape{3, 4}, Shape{3, 4}, Shape{3, 4}}, -1),  // a triplet of towers
      concatenate_case({Shape{2, 3}, Shape{4, 3}}, 0),                // batch axis
      concatenate_case({Shape{2, 1, 3}, Shape{2, 4, 3}}, 1),          // middle axis
      concatenate_case({Shape{2, 3, 2}, Shape{2, 3, 1}, Shape{2, 3, 3}}, 2),
      concatenate_case({Shape{1, 5}, Shape{1, 2}}, -1),        // batch 1
      concatenate_case({Shape{1, 2, 2}, Shape{1, 3, 2}}, -2),  // batch 1, middle axis
  };
}

const bool kConcatenateSamplesRegistered =
    (testing::register_op_samples("Concatenate", concatenate_samples), true);

TEST_SUITE("ops") {
  TEST_CASE("Concatenate shape rule") {
    const int64_t b = graph::kBatch;
    const std::vector<ValueInfo> towers{{Shape{b, 4}}, {Shape{b, 4}}, {Shape{b, 4}}};
    CHECK(Concatenate::infer_shape(ConcatenateAttrs{-1}, towers) == Shape{b, 12});
    CHECK(Concatenate::infer_shape(ConcatenateAttrs{0}, towers) == Shape{b, 4});
    // A known size on another axis wins over kBatch; on the axis, any kBatch stays kBatch.
    const std::vector<ValueInfo> mixed{{Shape{b, 3}}, {Shape{2, 5}}};
    CHECK(Concatenate::infer_shape(ConcatenateAttrs{1}, mixed) == Shape{2, 8});
    const std::vector<ValueInfo> rows{{Shape{2, 3}}, {Shape{4, 3}}};
    CHECK(Concatenate::infer_shape(ConcatenateAttrs{0}, rows) == Shape{6, 3});
    const std::vector<ValueInfo> rank3{{Shape{2, 1, 3}}, {Shape{2, 4, 3}}};
    CHECK(Concatenate::infer_shape(ConcatenateAttrs{-2}, rank3) == Shape{2, 5, 3});

    const std::vector<ValueInfo> other_axis{{Shape{b, 4}}, {Shape{b, 4}}, {Shape{b, 3, 4}}};
    CHECK_THROWS_WITH_AS(Concatenate::infer_shape(ConcatenateAttrs{-1}, other_axis),
                         doctest::Contains("input 2 [B, 3, 4] does not match input 0 [B, 4]"),
                         graph::ShapeError);
    const std::vector<ValueInfo> mismatch{{Shape{b, 3, 4}}, {Shape{b, 3, 2}}, {Shape{b, 2, 4}}};
    CHECK_THROWS_WITH_AS(Concatenate::infer_shape(ConcatenateAttrs{-1}, mismatch),
                         doctest::Contains("input 2 [B, 2, 4] does not match input 0 [B, 3, 4]"),
                         graph::ShapeError);
    const std::vector<ValueInfo> batch{{Shape{2, 4}}, {Shape{3, 4}}};
    CHECK_THROWS_WITH_AS(Concatenate::infer_shape(ConcatenateAttrs{1}, batch),
                         doctest::Contains("input 1 [3, 4] does not match input 0 [2, 4]"),
                         graph::ShapeError);
    CHECK_THROWS_WITH_AS(Concatenate::infer_shape(ConcatenateAttrs{2}, batch),
                         doctest::Contains("axis 2 is out of range"), graph::ShapeError);
    const std::vector<ValueInfo> ids{{Shape{2, 4}}, {Shape{2, 4}, graph::DType::kInt32}};
    CHECK_THROWS_WITH_AS(Concatenate::infer_shape(ConcatenateAttrs{-1}, ids),
                         doctest::Contains("input 1 must be real"), graph::ShapeError);
    CHECK_THROWS_AS(
        Concatenate::infer_shape(ConcatenateAttrs{-1}, std::vector<ValueInfo>{{Shape{2, 4}}}),
        graph::ShapeError);
  }

  TEST_CASE("Concatenate forward matches hand-computed values") {
    // a = [[1, 2], [3, 4]], b = [[5], [6]], c = [[7, 8, 9], [10, 11, 12]]
    // on the last axis each row is a's row, then b's, then c's.
    OpCase c = concatenate_case({Shape{2, 2}, Shape{2, 1}, Shape{2, 3}}, -1);
    c.inputs[0].values = {1, 2, 3, 4};
    c.inputs[1].values = {5, 6};
    c.inputs[2].values = {7, 8, 9, 10, 11, 12};
    CHECK(testing::run_forward(c) == std::vector<double>{1, 2, 5, 7, 8, 9, 3, 4, 6, 10, 11, 12});
    // On the first axis (a [2, 2] over d [1, 2] = [[5, 6]]) the rows stack: 1, 2, 3, 4, 5, 6.
    OpCase rows = concatenate_case({Shape{2, 2}, Shape{1, 2}}, 0);
    rows.inputs[0].values = {1, 2, 3, 4};
    rows.inputs[1].values = {5, 6};
    CHECK(testing::run_forward(rows) == std::vector<double>{1, 2, 3, 4, 5, 6});
    // Middle axis: x [2, 1, 2] = [[[1, 2]], [[3, 4]]], z [2, 2, 2] = 5..12
    // y[b] = x[b] rows then z[b] rows: [1, 2, 5, 6, 7, 8], [3, 4, 9, 10, 11, 12].
    OpCase mid = concatenate_case({Shape{2, 1, 2}, Shape{2, 2, 2}}, 1);
    mid.inputs[0].values = {1, 2, 3, 4};
    mid.inputs[1].values = {5, 6, 7, 8, 9, 10, 11, 12};
    CHECK(testing::run_forward(mid) == std::vector<double>{1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12});
  }

  TEST_CASE("Concatenate is linear: adjoint identity on every axis") {
    for (const OpCase& c : concatenate_samples()) {
      CAPTURE(c.label);
      CHECK(testing::adjoint_gap(c) < 1e-12);
    }
  }

  TEST_CASE("Concatenate gradients: several axes and shapes, batch 1") {
    for (const OpCase& c : concatenate_samples()) {
      CAPTURE(c.label);
      const auto report = testing::check_op(c, 1e-6);
      INFO(report.to_string());
      CHECK(report.passed());
    }
  }

  TEST_CASE("Concatenate backward adds into pre-filled gradients") {
    CHECK(testing::accumulation_gap(
              concatenate_case({Shape{2, 3, 2}, Shape{2, 1, 2}, Shape{2, 2, 2}}, 1)) < 1e-12);
  }
}

}  // namespace
}  // namespace twinflow::ops
