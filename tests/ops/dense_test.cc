#include "ops/dense.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::Activation;
using graph::DenseAttrs;
using graph::Shape;
using graph::ValueInfo;
using testing::CaseInput;
using testing::OpCase;

OpCase dense_case(Shape x, int64_t units, Activation act, bool use_bias = true) {
  OpCase c{fmt::format("Dense {} -> {} {}{}", x.to_string(), units, graph::to_string(act),
                       use_bias ? "" : " no bias"),
           &op_def<Dense>(),
           DenseAttrs{units, act, use_bias},
           {}};
  c.inputs.push_back(testing::random_input(x));
  c.inputs.push_back(testing::random_input(Shape{x.back(), units}, 0.5));
  // Relu is kinked at 0: a bias offset keeps pre-activations away from it in most rows.
  if (use_bias)
    c.inputs.push_back(
        testing::random_input(Shape{units}, 0.3, act == Activation::kRelu ? 0.2 : 0.0));
  return c;
}

std::vector<OpCase> dense_samples() {
  std::vector<OpCase> cases;
  for (Activation act : {Activation::kLinear, Activation::kRelu, Activation::kSigmoid,
                         Activation::kTanh, Activation::kSoftmax}) {
    cases.push_back(dense_case(Shape{4, 3}, 5, act));
    cases.push_back(dense_case(Shape{1, 6}, 2, act));     // batch 1
    cases.push_back(dense_case(Shape{2, 3, 4}, 3, act));  // rank 3: leading dims are rows
  }
  cases.push_back(dense_case(Shape{3, 4}, 2, Activation::kTanh, /*use_bias=*/false));
  return cases;
}

const bool kDenseSamplesRegistered = (testing::register_op_samples("Dense", dense_samples), true);

TEST_SUITE("ops") {
  TEST_CASE("Dense shape rule") {
    const DenseAttrs a{8, Activation::kRelu, true};
    const std::vector<ValueInfo> ok{{Shape{graph::kBatch, 5}}, {Shape{5, 8}}, {Shape{8}}};
    CHECK(Dense::infer_shape(a, ok) == Shape{graph::kBatch, 8});
    const std::vector<ValueInfo> rank3{{Shape{2, 7, 5}}, {Shape{5, 8}}, {Shape{8}}};
    CHECK(Dense::infer_shape(a, rank3) == Shape{2, 7, 8});
    const std::vector<ValueInfo> bad_kernel{{Shape{2, 5}}, {Shape{4, 8}}, {Shape{8}}};
    CHECK_THROWS_WITH_AS(Dense::infer_shape(a, bad_kernel),
                         doctest::Contains("kernel must be [5, 8]"), graph::ShapeError);
    const std::vector<ValueInfo> bad_bias{{Shape{2, 5}}, {Shape{5, 8}}, {Shape{7}}};
    CHECK_THROWS_WITH_AS(Dense::infer_shape(a, bad_bias), doctest::Contains("bias must be [8]"),
                         graph::ShapeError);
    const std::vector<ValueInfo> missing_bias{{Shape{2, 5}}, {Shape{5, 8}}};
    CHECK_THROWS_AS(Dense::infer_shape(a, missing_bias), graph::ShapeError);
    CHECK(Dense::param_specs(a, std::vector<ValueInfo>{{Shape{graph::kBatch, 5}}}).size() == 2);
  }

  TEST_CASE("Dense forward matches hand-computed values") {
    // x = [[1, 2]], W = [[1, -1], [0.5, 2]], b = [0.5, -4]
    // z = [1·1 + 2·0.5 + 0.5, 1·(−1) + 2·2 − 4] = [2.5, −1]
    OpCase c = dense_case(Shape{1, 2}, 2, Activation::kLinear);
    c.inputs[0].values = {1, 2};
    c.inputs[1].values = {1, -1, 0.5, 2};
    c.inputs[2].values = {0.5, -4};
    auto y = testing::run_forward(c);
    CHECK(y[0] == doctest::Approx(2.5));
    CHECK(y[1] == doctest::Approx(-1.0));
    c.attrs = DenseAttrs{2, Activation::kRelu, true};
    y = testing::run_forward(c);
    CHECK(y[0] == doctest::Approx(2.5));
    CHECK(y[1] == 0.0);
    c.attrs = DenseAttrs{2, Activation::kSigmoid, true};
    y = testing::run_forward(c);
    CHECK(y[0] == doctest::Approx(0.9241418199787566));  // 1 / (1 + e^-2.5)
    CHECK(y[1] == doctest::Approx(0.2689414213699951));  // 1 / (1 + e^1)
    c.attrs = DenseAttrs{2, Activation::kSoftmax, true};
    y = testing::run_forward(c);
    CHECK(y[0] == doctest::Approx(0.9706877692486436));  // e^2.5 / (e^2.5 + e^-1)
    CHECK(y[0] + y[1] == doctest::Approx(1.0));
  }

  TEST_CASE("Dense gradients: every activation, several shapes") {
    for (const OpCase& c : dense_samples()) {
      CAPTURE(c.label);
      const auto report = testing::check_op(c, 1e-6);
      INFO(report.to_string());
      CHECK(report.passed());
    }
  }

  TEST_CASE("Dense backward adds into pre-filled gradients") {
    CHECK(testing::accumulation_gap(dense_case(Shape{3, 4}, 2, Activation::kSigmoid)) < 1e-12);
  }
}

}  // namespace
}  // namespace twinflow::ops
