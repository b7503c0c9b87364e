#include "runtime/exec/initializers.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace twinflow::runtime {
namespace {

using graph::Init;
using graph::Shape;

TEST_SUITE("runtime") {
  TEST_CASE("glorot uniform stays within sqrt(6 / (fan_in + fan_out))") {
    std::mt19937_64 rng(1);
    ops::Tensor<double> w(Shape{100, 200});
    initialize(Init::kGlorotUniform, w, rng);
    const double limit = std::sqrt(6.0 / 300.0);
    double max_abs = 0, mean = 0;
    for (double v : w.data) {
      max_abs = std::max(max_abs, std::abs(v));
      mean += v / static_cast<double>(w.size());
    }
    CHECK(max_abs <= limit);
    CHECK(max_abs > 0.95 * limit);  // the range is used, not a narrower one
    CHECK(std::abs(mean) < 0.01);
  }

  TEST_CASE("orthogonal kernels have orthonormal columns or rows") {
    std::mt19937_64 rng(2);
    for (const Shape& s : {Shape{8, 32}, Shape{32, 8}, Shape{6, 6}}) {
      ops::Tensor<double> w(s);
      initialize(Init::kOrthogonal, w, rng);
      Eigen::Map<ops::RowMatrix<double>> m(w.data.data(), s[0], s[1]);
      const Eigen::MatrixXd gram =
          s[0] <= s[1] ? Eigen::MatrixXd(m * m.transpose()) : Eigen::MatrixXd(m.transpose() * m);
      CHECK((gram - Eigen::MatrixXd::Identity(gram.rows(), gram.cols())).cwiseAbs().maxCoeff() <
            1e-12);
    }
  }

  TEST_CASE("LSTM bias is one on the forget gate only (gates i, f, c, o)") {
    std::mt19937_64 rng(3);
    ops::Tensor<float> b(Shape{12});
    initialize(Init::kLstmBias, b, rng);
    const std::vector<float> expected{0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0};
    CHECK(b.data == expected);
  }

  TEST_CASE("small uniform stays within 0.05") {
    std::mt19937_64 rng(4);
    ops::Tensor<float> e(Shape{50, 10});
    initialize(graph::kSmallUniform, e, rng);
    for (float v : e.data) CHECK(std::abs(v) <= 0.05f);
  }

  TEST_CASE("constant, uniform and normal follow their arguments") {
    std::mt19937_64 rng(5);
    ops::Tensor<double> c(Shape{7});
    initialize(graph::Initializer{Init::kConstant, 0.25}, c, rng);
    for (double v : c.data) CHECK(v == 0.25);

    ops::Tensor<double> u(Shape{200, 50});
    initialize(graph::Initializer{Init::kUniform, 2.0, 3.0}, u, rng);
    const auto [lo, hi] = std::minmax_element(u.data.begin(), u.data.end());
    CHECK(*lo >= 2.0);
    CHECK(*hi < 3.0);
    CHECK(*lo < 2.01);  // 10,000 draws reach both ends
    CHECK(*hi > 2.99);

    ops::Tensor<double> n(Shape{200, 50});
    initialize(graph::Initializer{Init::kNormal, 1.0, 0.5}, n, rng);
    double mean = 0.0, square = 0.0;
    for (double v : n.data) mean += v / 10000.0;
    for (double v : n.data) square += (v - mean) * (v - mean) / 10000.0;
    // Standard errors: 0.005 for the mean, about 0.0035 for the standard deviation.
    CHECK(mean == doctest::Approx(1.0).epsilon(0.02));
    CHECK(std::sqrt(square) == doctest::Approx(0.5).epsilon(0.03));
  }
}

}  // namespace
}  // namespace twinflow::runtime
