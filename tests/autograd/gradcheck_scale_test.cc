// The gradient checker judges small gradients by their own scale: a VJP 1 % wrong on a
// parameter whose gradients are ~1e-6 fails a whole-model check, as does a 10 % error on
// gradients ~1e-4 (both passed Caffe's floor of 1).
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "autograd/gradcheck.h"
#include "graph/ir/attrs.h"
#include "ops/op_def.h"

namespace twinflow::autograd {
namespace {

using graph::Shape;

// A one-number loss over two parameters of one shape: y = Σ a² / n + Σ b², whose VJP for b
// is scaled by `b_factor` (1 is right; 1.01 is a 1 % bug).
struct TwoPartLoss {
  using Attrs = double;
  static constexpr std::string_view kName = "TestTwoPartLoss";
  static constexpr int kMinInputs = 2;
  static constexpr int kMaxInputs = 2;
  static graph::Shape infer_shape(const Attrs&, std::span<const graph::ValueInfo>) {
    return Shape{1};
  }
  template <typename T>
  static void forward(const Attrs&, ops::Context<T>&, ops::Args<T> in, ops::Out<T> y) {
    const T n = static_cast<T>(in[0].size());
    y.y[0] = ops::flat(in[0]).squaredNorm() / n + ops::flat(in[1]).squaredNorm();
  }
  template <typename T>
  static void backward(const Attrs& b_factor, ops::Context<T>&, ops::Args<T> in, ops::In<T>,
                       ops::In<T> dy, ops::GradArgs<T> d) {
    const T n = static_cast<T>(in[0].size());
    if (d.wants(0)) ops::flat(d[0]) += (T(2) / n * dy.x[0]) * ops::flat(in[0]);
    if (d.wants(1))
      ops::flat(d[1]) += (T(2) * static_cast<T>(b_factor) * dy.x[0]) * ops::flat(in[1]);
  }
};

// Parameter a ~ N(0, 1) (gradients ~0.1, loss ~1); b ~ N(0, b_scale) (gradients ~2·b_scale).
GradCheckReport check_two_part(double b_factor, double b_scale) {
  graph::Graph g;
  const ValueId a = g.add_parameter("a", Shape{3, 4});
  const ValueId b = g.add_parameter("b", Shape{3, 4});
  const ValueId loss = g.add_node(ops::op_def<TwoPartLoss>(), b_factor, {a, b}, "loss");
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::map<ValueId, Tensor<double>> params;
  for (const auto& [v, scale] : {std::pair{a, 1.0}, std::pair{b, b_scale}}) {
    Tensor<double> t(Shape{3, 4});
    for (double& x : t.data) x = scale * normal(rng);
    params.emplace(v, std::move(t));
  }
  Feeds no_feeds;
  return check_gradients(g, no_feeds, params, loss, {a, b});
}

TEST_SUITE("autograd") {
  TEST_CASE("a correct VJP passes on large and on small gradients") {
    for (const double b_scale : {1.0, 1e-4, 1e-6}) {
      CAPTURE(b_scale);
      const GradCheckReport report = check_two_part(1.0, b_scale);
      CAPTURE(report.to_string());
      CHECK(report.passed());
      CHECK(report.to_string().find("warning") == std::string::npos);
    }
  }

  TEST_CASE("a VJP 1 % wrong on a parameter with gradients ~1e-6 fails the whole check") {
    const GradCheckReport report = check_two_part(1.01, 5e-7);
    CAPTURE(report.to_string());
    REQUIRE(report.tensors.size() == 2);
    CHECK(report.tensors[1].largest < 1e-5);  // the case is what it says
    CHECK(report.tensors[1].largest > 1e-7);
    CHECK(report.tensors[0].worst_error <= report.tolerance);
    CHECK(report.tensors[1].worst_error > report.tolerance);
    CHECK_FALSE(report.passed());
  }

  TEST_CASE("an error of 1e-5 on gradients ~1e-4 fails (a floor of 100 would pass it)") {
    const GradCheckReport report = check_two_part(1.1, 5e-5);
    CAPTURE(report.to_string());
    CHECK(report.tensors[1].largest < 1e-3);
    CHECK(report.tensors[1].worst_error > 1e3 * report.tolerance);
    CHECK_FALSE(report.passed());
  }

  TEST_CASE("a tensor whose gradients are all below the noise passes with a warning") {
    const GradCheckReport report = check_two_part(2.0, 1e-14);  // a 100 % error: invisible
    CAPTURE(report.to_string());
    CHECK(report.tensors[1].below_noise(report.noise));
    CHECK_FALSE(report.tensors[0].below_noise(report.noise));
    CHECK(report.to_string().find("warning: every gradient of b is below") != std::string::npos);
  }

  TEST_CASE("max_probes_per_tensor probes exactly that many elements, spread out") {
    CHECK(probe_count(64, 20) == 20);
    CHECK(probe_count(64, 0) == 64);
    CHECK(probe_count(5, 20) == 5);
    graph::Graph g;
    const ValueId a = g.add_parameter("a", Shape{64});
    const ValueId b = g.add_parameter("b", Shape{64});
    const ValueId loss = g.add_node(ops::op_def<TwoPartLoss>(), 1.0, {a, b}, "loss");
    std::map<ValueId, Tensor<double>> params;
    params.emplace(a, Tensor<double>(Shape{64}));
    params.emplace(b, Tensor<double>(Shape{64}));
    for (size_t i = 0; i < 64; ++i) params.at(a).data[i] = params.at(b).data[i] = 0.01 * i;
    Feeds no_feeds;
    GradCheckOptions options;
    options.max_probes_per_tensor = 20;
    const GradCheckReport report = check_gradients(g, no_feeds, params, loss, {a, b}, options);
    CHECK(report.tensors[0].probes == 20);
    CHECK(report.tensors[1].worst_index <= 60);  // ⌊19·64/20⌋ = 60 is the last probe
    CHECK(report.passed());
  }
}

}  // namespace
}  // namespace twinflow::autograd
