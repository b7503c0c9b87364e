#include "ops/losses.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>

#include "autograd/tape.h"
#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::BinaryCrossentropyAttrs;
using graph::ContrastiveAttrs;
using graph::Shape;
using graph::TripletMarginAttrs;
using graph::ValueInfo;
using testing::OpCase;

// Hard labels 1, 0, 0, 1, 1, 0, … (a fixed pattern with both classes in every batch > 1).
std::vector<double> labels(int64_t n) {
  std::vector<double> t(static_cast<size_t>(n));
  for (size_t i = 0; i < t.size(); ++i) t[i] = (i % 3 == 0 || i % 4 == 0) ? 1.0 : 0.0;
  return t;
}

// Probabilities are U(0.09, 0.9): inside (0.05, 0.95), far from the clipping at 1e-7.
OpCase bce_case(Shape s, bool from_logits, bool soft_target) {
  OpCase c{fmt::format("BinaryCrossentropy {}{}{}", s.to_string(),
                       from_logits ? " from_logits" : "", soft_target ? " soft target" : ""),
           &op_def<BinaryCrossentropy>(),
           BinaryCrossentropyAttrs{from_logits, 1e-7},
           {}};
  c.inputs.push_back(from_logits ? testing::random_input(s, 2.0) : testing::positive_input(s, 0.9));
  c.inputs.push_back(soft_target ? testing::positive_input(s, 0.9)
                                 : testing::constant_input(s, labels(s.num_elements())));
  return c;
}

// Rows of [a | p | n] with p near a; n is near a in even rows (the hinge is active) and at
// least 1.5 away from a per coordinate in odd rows (inactive), so both branches are checked.
OpCase triplet_case(int64_t batch, int64_t dim, double alpha = 0.4) {
  OpCase c{fmt::format("TripletMargin [{}, {}] alpha {}", batch, 3 * dim, alpha),
           &op_def<TripletMargin>(),
           TripletMarginAttrs{alpha},
           {}};
  const std::vector<double> z = testing::random_normal(3 * batch * dim, 5 + batch + dim);
  std::vector<double> x(z.size());
  for (int64_t b = 0; b < batch; ++b) {
    const double spread = b % 2 == 0 ? 0.2 : 1.5;
    for (int64_t k = 0; k < dim; ++k) {
      const size_t row = static_cast<size_t>(b * 3 * dim);
      const size_t i = static_cast<size_t>(k);
      const size_t d = static_cast<size_t>(dim);
      x[row + i] = z[row + i];
      x[row + d + i] = z[row + i] + 0.3 * z[row + d + i];
      const double away = z[row + 2 * d + i];
      x[row + 2 * d + i] = z[row + i] + spread * (away + std::copysign(1.0, away));
    }
  }
  c.inputs.push_back(testing::given_input(Shape{batch, 3 * dim}, std::move(x)));
  return c;
}

// Distances are U(0.2, 2): most pairs are off the margin m = 1 by far more than eps.
OpCase contrastive_case(Shape s, bool soft_label, double margin = 1.0) {
  OpCase c{fmt::format("Contrastive {} margin {}{}", s.to_string(), margin,
                       soft_label ? " soft label" : ""),
           &op_def<Contrastive>(),
           ContrastiveAttrs{margin},
           {}};
  c.inputs.push_back(testing::positive_input(s, 2.0));
  c.inputs.push_back(soft_label ? testing::positive_input(s, 0.9)
                                : testing::constant_input(s, labels(s.num_elements())));
  return c;
}

std::vector<OpCase> bce_samples() {
  std::vector<OpCase> cases;
  for (bool logits : {false, true}) {
    cases.push_back(bce_case(Shape{6, 1}, logits, false));
    cases.push_back(bce_case(Shape{1, 1}, logits, false));  // batch 1
    cases.push_back(bce_case(Shape{3, 2}, logits, true));   // gradient to the target too
  }
  return cases;
}

std::vector<OpCase> triplet_samples() {
  return {triplet_case(4, 3), triplet_case(1, 2), triplet_case(5, 1, 1.0)};
}

std::vector<OpCase> contrastive_samples() {
  return {contrastive_case(Shape{6}, false), contrastive_case(Shape{4, 1}, false),
          contrastive_case(Shape{1, 1}, false), contrastive_case(Shape{5}, true, 1.5)};
}

const bool kLossesSamplesRegistered =
    (testing::register_op_samples("BinaryCrossentropy", bce_samples),
     testing::register_op_samples("TripletMargin", triplet_samples),
     testing::register_op_samples("Contrastive", contrastive_samples), true);

void check_all(const std::vector<OpCase>& cases) {
  for (const OpCase& c : cases) {
    CAPTURE(c.label);
    const auto report = testing::check_op(c, 1e-6);
    INFO(report.to_string());
    CHECK(report.passed());
  }
}

TEST_SUITE("ops") {
  TEST_CASE("loss shape rules") {
    const int64_t b = graph::kBatch;
    const BinaryCrossentropyAttrs bce{};
    CHECK(BinaryCrossentropy::infer_shape(
              bce, std::vector<ValueInfo>{{Shape{b, 1}}, {Shape{b, 1}}}) == Shape{});
    CHECK(BinaryCrossentropy::infer_shape(
              bce, std::vector<ValueInfo>{{Shape{4, 1}}, {Shape{b, 1}}}) == Shape{});
    CHECK_THROWS_WITH_AS(
        BinaryCrossentropy::infer_shape(bce, std::vector<ValueInfo>{{Shape{b, 1}}, {Shape{b, 2}}}),
        doctest::Contains("input 1 (target) [B, 2] must have the shape of input 0 (pred) [B, 1]"),
        graph::ShapeError);
    CHECK_THROWS_WITH_AS(
        BinaryCrossentropy::infer_shape(
            bce, std::vector<ValueInfo>{{Shape{b, 1}}, {Shape{b, 1}, graph::DType::kInt32}}),
        doctest::Contains("input 1 (target) must be real"), graph::ShapeError);
    CHECK_THROWS_AS(BinaryCrossentropy::infer_shape(bce, std::vector<ValueInfo>{{Shape{b, 1}}}),
                    graph::ShapeError);

    const TripletMarginAttrs tm{};
    CHECK(TripletMargin::infer_shape(tm, std::vector<ValueInfo>{{Shape{b, 48}}}) == Shape{});
    CHECK_THROWS_WITH_AS(TripletMargin::infer_shape(tm, std::vector<ValueInfo>{{Shape{b, 47}}}),
                         doctest::Contains("must be a positive multiple of 3, got 47"),
                         graph::ShapeError);
    CHECK_THROWS_WITH_AS(TripletMargin::infer_shape(tm, std::vector<ValueInfo>{{Shape{48}}}),
                         doctest::Contains("must be [B, 3D]"), graph::ShapeError);

    const ContrastiveAttrs ct{};
    CHECK(Contrastive::infer_shape(ct, std::vector<ValueInfo>{{Shape{b}}, {Shape{b}}}) == Shape{});
    CHECK(Contrastive::infer_shape(ct, std::vector<ValueInfo>{{Shape{b, 1}}, {Shape{b, 1}}}) ==
          Shape{});
    CHECK_THROWS_WITH_AS(
        Contrastive::infer_shape(ct, std::vector<ValueInfo>{{Shape{b, 1}}, {Shape{b}}}),
        doctest::Contains("input 1 (label) [B] must have the shape of input 0 (distance) [B, 1]"),
        graph::ShapeError);
  }

  TEST_CASE("BinaryCrossentropy forward matches hand-computed values") {
    // p = [0.8, 0.25], t = [1, 0]: (−log 0.8 − log 0.75) / 2
    //   = (0.2231435513142097 + 0.2876820724517809) / 2 = 0.2554128118829953
    OpCase c = bce_case(Shape{2, 1}, false, false);
    c.inputs[0].values = {0.8, 0.25};
    c.inputs[1].values = {1, 0};
    CHECK(testing::run_forward(c)[0] == doctest::Approx(0.2554128118829953).epsilon(1e-14));
    c.inputs[0].values = {0.8, 0.8};
    c.inputs[1].values = {1, 1};
    CHECK(testing::run_forward(c)[0] == doctest::Approx(0.2231435513142097).epsilon(1e-14));
  }

  TEST_CASE("BinaryCrossentropy clips p = 0 and p = 1 as Keras does") {
    // p = 0, t = 1: −log(1e−7) = 16.11809565095832; p = 1, t = 0: −log(1 − (1 − 1e−7)), the
    // same up to the rounding of 1 − 1e−7.
    OpCase c = bce_case(Shape{2}, false, false);
    c.inputs[0].values = {0, 1};
    c.inputs[1].values = {1, 0};
    CHECK(testing::run_forward(c)[0] == doctest::Approx(16.11809565095832).epsilon(1e-9));
    c.inputs[0].values = {0, 0};
    c.inputs[1].values = {1, 1};
    CHECK(testing::run_forward(c)[0] == doctest::Approx(16.11809565095832).epsilon(1e-14));
    // The clipped function is flat in p: no gradient flows through a clipped probability,
    // while p = 0.5 (unclipped) gets dy/N · (0.5 − 1) / 0.25 = 1/2 · (−2) = −1.
    c.inputs[0].values = {0, 0.5};
    testing::BuiltCase b = testing::build_case(c);
    autograd::Tape<double> tape(b.graph);
    for (auto& [v, t] : b.feeds.reals) tape.bind(v, &t);
    Tensor<double> dp(Shape{2});
    tape.bind_grad(b.inputs[0], &dp);
    tape.forward(false, 1);
    CHECK(std::isfinite(tape.value(b.output).data[0]));
    tape.backward(b.output, 1.0);
    CHECK(dp.data[0] == 0.0);
    CHECK(dp.data[1] == doctest::Approx(-1.0).epsilon(1e-14));
  }

  TEST_CASE("BinaryCrossentropy from_logits agrees with probabilities away from the clip") {
    const std::vector<double> z{-2.0, -0.3, 0.7, 3.0, 0.05, -1.2};
    const std::vector<double> t{0, 1, 0.25, 1, 0, 0.6};
    OpCase logits = bce_case(Shape{3, 2}, true, true);
    logits.inputs[0].values = z;
    logits.inputs[1].values = t;
    OpCase probs = bce_case(Shape{3, 2}, false, true);
    for (double v : z) probs.inputs[0].values.push_back(1.0 / (1.0 + std::exp(-v)));
    probs.inputs[1].values = t;
    CHECK(testing::run_forward(logits)[0] ==
          doctest::Approx(testing::run_forward(probs)[0]).epsilon(1e-12));
    // Large logits stay finite: z = 800, t = 0 costs exactly 800 (softplus(800) = 800).
    OpCase big = bce_case(Shape{1}, true, false);
    big.inputs[0].values = {800};
    big.inputs[1].values = {0};
    CHECK(testing::run_forward(big)[0] == doctest::Approx(800.0));
  }

  TEST_CASE("TripletMargin forward matches hand-computed values") {
    // D = 2, rows [a | p | n]:
    //   a=[1,0] p=[0,0] n=[1,1]:   |a−p|² = 1, |a−n|² = 1    → 1 − 1 + 0.4 = 0.4
    //   a=[1,2] p=[2,2] n=[1,2.5]: |a−p|² = 1, |a−n|² = 0.25 → 1 − 0.25 + 0.4 = 1.15
    //   a=[0,0] p=[1,1] n=[0,2]:   |a−p|² = 2, |a−n|² = 4    → 2 − 4 + 0.4 < 0 → 0
    // mean = (0.4 + 1.15 + 0) / 3 = 0.5166666666666667; with α = 1: (1 + 1.75 + 0) / 3.
    OpCase c = triplet_case(3, 2);
    c.inputs[0].values = {1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 2.5, 0, 0, 1, 1, 0, 2};
    CHECK(testing::run_forward(c)[0] == doctest::Approx(0.5166666666666667).epsilon(1e-14));
    c.attrs = TripletMarginAttrs{1.0};
    CHECK(testing::run_forward(c)[0] == doctest::Approx(2.75 / 3).epsilon(1e-14));
  }

  TEST_CASE("TripletMargin samples have active and inactive hinges, all off the kink") {
    for (const OpCase& c : triplet_samples()) {
      CAPTURE(c.label);
      const auto& x = c.inputs[0].values;
      const int64_t width = c.inputs[0].shape[1];
      const int64_t dim = width / 3;
      const double alpha = std::any_cast<TripletMarginAttrs>(c.attrs).alpha;
      int active = 0;
      for (int64_t b = 0; b < c.inputs[0].shape[0]; ++b) {
        double h = alpha;
        for (int64_t k = 0; k < dim; ++k) {
          const double a = x[static_cast<size_t>(b * width + k)];
          const double p = x[static_cast<size_t>(b * width + dim + k)];
          const double n = x[static_cast<size_t>(b * width + 2 * dim + k)];
          h += (a - p) * (a - p) - (a - n) * (a - n);
        }
        CHECK(std::abs(h) > 0.05);
        active += h > 0;
      }
      CHECK(active > 0);
      if (c.inputs[0].shape[0] > 1) CHECK(active < c.inputs[0].shape[0]);
    }
  }

  TEST_CASE("Contrastive forward matches hand-computed values") {
    // d = [0.5, 0.3, 1.5], y = [1, 0, 0], m = 1:
    //   1·0.5² + 1·max(1 − 0.3, 0)² + 1·max(1 − 1.5, 0)² = 0.25 + 0.49 + 0 → 0.74 / 3
    // m = 2: 0.25 + 1.7² + 0.5² = 0.25 + 2.89 + 0.25 = 3.39 → 3.39 / 3 = 1.13
    OpCase c = contrastive_case(Shape{3, 1}, false);
    c.inputs[0].values = {0.5, 0.3, 1.5};
    c.inputs[1].values = {1, 0, 0};
    CHECK(testing::run_forward(c)[0] == doctest::Approx(0.24666666666666667).epsilon(1e-14));
    c.attrs = ContrastiveAttrs{2.0};
    CHECK(testing::run_forward(c)[0] == doctest::Approx(1.13).epsilon(1e-14));
  }

  TEST_CASE("loss gradients") {
    check_all(bce_samples());
    check_all(triplet_samples());
    check_all(contrastive_samples());
  }

  TEST_CASE("loss backward adds into pre-filled gradients") {
    CHECK(testing::accumulation_gap(bce_case(Shape{3, 2}, false, true)) < 1e-12);
    CHECK(testing::accumulation_gap(bce_case(Shape{3, 2}, true, true)) < 1e-12);
    CHECK(testing::accumulation_gap(triplet_case(4, 3)) < 1e-12);
    CHECK(testing::accumulation_gap(contrastive_case(Shape{5}, true)) < 1e-12);
  }
}

}  // namespace
}  // namespace twinflow::ops
