#include "ops/slice.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "autograd/tape.h"
#include "ops/concatenate.h"
#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::Shape;
using graph::SliceAttrs;
using graph::ValueInfo;
using testing::OpCase;

OpCase slice_case(Shape x, int axis, int64_t begin, int64_t end) {
  OpCase c{fmt::format("Slice {} axis {} [{}, {})", x.to_string(), axis, begin, end),
           &op_def<Slice>(),
           SliceAttrs{axis, begin, end},
           {}};
  c.inputs.push_back(testing::random_input(std::move(x)));
  return c;
}

std::vector<OpCase> slice_samples() {
  return {
      slice_case(Shape{4, 9}, -1, 3, 6),     // the middle third of a triplet row
      slice_case(Shape{5, 3}, 0, 1, 4),      // batch axis
      slice_case(Shape{2, 5, 3}, 1, 2, 5),   // middle axis, to the end
      slice_case(Shape{2, 3, 4}, -1, 0, 1),  // last axis, width 1
      slice_case(Shape{1, 6}, 1, 0, 2),      // batch 1
      slice_case(Shape{1, 4, 2}, -2, 1, 3),  // batch 1, negative middle axis
  };
}

const bool kSliceSamplesRegistered = (testing::register_op_samples("Slice", slice_samples), true);

TEST_SUITE("ops") {
  TEST_CASE("Slice shape rule") {
    const std::vector<ValueInfo> x{{Shape{graph::kBatch, 9}}};
    CHECK(Slice::infer_shape(SliceAttrs{-1, 3, 6}, x) == Shape{graph::kBatch, 3});
    CHECK(Slice::infer_shape(SliceAttrs{1, 0, 9}, x) == Shape{graph::kBatch, 9});
    // An unknown batch size is checked again at run time; the graph-time rule accepts it.
    CHECK(Slice::infer_shape(SliceAttrs{0, 2, 4}, x) == Shape{2, 9});
    const std::vector<ValueInfo> x3{{Shape{2, 5, 3}}};
    CHECK(Slice::infer_shape(SliceAttrs{-2, 1, 2}, x3) == Shape{2, 1, 3});

    CHECK_THROWS_WITH_AS(Slice::infer_shape(SliceAttrs{-1, 6, 10}, x),
                         doctest::Contains("slice [6, 10) on axis -1 of input 0 [B, 9] needs "
                                           "0 <= begin < end <= 9"),
                         graph::ShapeError);
    CHECK_THROWS_WITH_AS(Slice::infer_shape(SliceAttrs{-1, 4, 4}, x),
                         doctest::Contains("slice [4, 4)"), graph::ShapeError);
    CHECK_THROWS_WITH_AS(Slice::infer_shape(SliceAttrs{-1, -1, 2}, x),
                         doctest::Contains("slice [-1, 2)"), graph::ShapeError);
    CHECK_THROWS_WITH_AS(Slice::infer_shape(SliceAttrs{0, 3, 1}, x),
                         doctest::Contains("<= B (the axis size)"), graph::ShapeError);
    CHECK_THROWS_WITH_AS(Slice::infer_shape(SliceAttrs{2, 0, 1}, x),
                         doctest::Contains("axis 2 is out of range"), graph::ShapeError);
    CHECK_THROWS_AS(Slice::infer_shape(SliceAttrs{0, 0, 1}, std::vector<ValueInfo>{{Shape{}}}),
                    graph::ShapeError);
    CHECK_THROWS_WITH_AS(
        Slice::infer_shape(SliceAttrs{-1, 0, 1},
                           std::vector<ValueInfo>{{Shape{2, 3}, graph::DType::kInt32}}),
        doctest::Contains("must be real"), graph::ShapeError);
  }

  TEST_CASE("Slice forward matches hand-computed values") {
    // x [2, 3, 4] holds x[b, j, k] = 12b + 4j + k. Rows j = 1, 2 of each b: 4..11 and 16..23.
    OpCase c = slice_case(Shape{2, 3, 4}, 1, 1, 3);
    c.inputs[0].values.resize(24);
    for (size_t i = 0; i < 24; ++i) c.inputs[0].values[i] = static_cast<double>(i);
    std::vector<double> want;
    for (int v = 4; v < 12; ++v) want.push_back(v);
    for (int v = 16; v < 24; ++v) want.push_back(v);
    CHECK(testing::run_forward(c) == want);
    // The last axis, columns [1, 3): x[b, j, 1..2] = 12b + 4j + {1, 2}.
    c.attrs = SliceAttrs{-1, 1, 3};
    CHECK(testing::run_forward(c) ==
          std::vector<double>{1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22});
    // The first axis, b = 1: 12..23.
    c.attrs = SliceAttrs{0, 1, 2};
    std::vector<double> second(12);
    for (size_t i = 0; i < 12; ++i) second[i] = static_cast<double>(12 + i);
    CHECK(testing::run_forward(c) == second);
  }

  TEST_CASE("Slice is linear: adjoint identity on every axis") {
    for (const OpCase& c : slice_samples()) {
      CAPTURE(c.label);
      CHECK(testing::adjoint_gap(c) < 1e-12);
    }
  }

  TEST_CASE("Slice gradients: several axes and shapes, batch 1") {
    for (const OpCase& c : slice_samples()) {
      CAPTURE(c.label);
      const auto report = testing::check_op(c, 1e-6);
      INFO(report.to_string());
      CHECK(report.passed());
    }
  }

  TEST_CASE("Slice backward adds into pre-filled gradients") {
    CHECK(testing::accumulation_gap(slice_case(Shape{3, 4, 5}, 1, 1, 3)) < 1e-12);
  }

  TEST_CASE("Slice into thirds of Concatenate(a, p, n) gives back a, p and n exactly") {
    graph::Graph g;
    std::vector<graph::ValueId> parts;
    for (const char* name : {"a", "p", "n"}) parts.push_back(g.add_input(name, Shape{2, 4}));
    const graph::ValueId joined =
        g.add_node(op_def<Concatenate>(), graph::ConcatenateAttrs{-1}, parts, "joined");
    std::vector<graph::ValueId> thirds;
    for (int64_t k = 0; k < 3; ++k)
      thirds.push_back(g.add_node(op_def<Slice>(), SliceAttrs{-1, 4 * k, 4 * k + 4}, {joined},
                                  fmt::format("third{}", k)));
    std::vector<Tensor<double>> data;
    for (uint64_t k = 0; k < 3; ++k) {
      data.emplace_back(Shape{2, 4});
      data.back().data = testing::random_normal(8, 11 + k);
    }
    autograd::Tape<double> tape(g);
    for (size_t k = 0; k < 3; ++k) tape.bind(parts[k], &data[k]);
    tape.forward(false, 1);
    CHECK(tape.value(joined).shape == Shape{2, 12});
    for (size_t k = 0; k < 3; ++k) {
      CAPTURE(k);
      CHECK(tape.value(thirds[k]).shape == Shape{2, 4});
      CHECK(tape.value(thirds[k]).data == data[k].data);
    }
  }
}

}  // namespace
}  // namespace twinflow::ops
