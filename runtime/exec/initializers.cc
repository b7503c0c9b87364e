#include "runtime/exec/initializers.h"

#include <Eigen/QR>
#include <cmath>

namespace twinflow::runtime {

namespace {

// Fan-in and fan-out of a kernel [in, out]; the last axis is "out", the rest is "in".
std::pair<double, double> fans(const graph::Shape& s) {
  if (s.rank() == 0) return {1.0, 1.0};
  if (s.rank() == 1) return {static_cast<double>(s[0]), static_cast<double>(s[0])};
  return {static_cast<double>(s.leading_elements()), static_cast<double>(s.back())};
}

template <typename T>
void uniform(ops::Tensor<T>& t, double low, double high, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(low, high);
  for (T& v : t.data) v = static_cast<T>(u(rng));
}

// Orthogonal rows or columns, whichever the shape allows (Saxe et al. 2013), as Keras does.
template <typename T>
void orthogonal(ops::Tensor<T>& t, std::mt19937_64& rng) {
  const Eigen::Index rows = static_cast<Eigen::Index>(t.shape.leading_elements());
  const Eigen::Index cols = static_cast<Eigen::Index>(t.shape.back());
  const bool tall = rows >= cols;
  Eigen::MatrixXd a(tall ? rows : cols, tall ? cols : rows);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = normal(rng);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(a.rows(), a.cols());
  // Sign correction makes the distribution uniform over orthogonal matrices.
  const Eigen::MatrixXd r = qr.matrixQR().topRows(a.cols()).template triangularView<Eigen::Upper>();
  for (Eigen::Index j = 0; j < q.cols(); ++j)
    if (r(j, j) < 0) q.col(j) = -q.col(j);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j)
      t.data[static_cast<size_t>(i * cols + j)] = static_cast<T>(tall ? q(i, j) : q(j, i));
}

}  // namespace

template <typename T>
void initialize(const graph::Initializer& init, ops::Tensor<T>& t, std::mt19937_64& rng) {
  switch (init.kind) {
    case graph::Init::kZeros:
      t.fill(T(0));
      return;
    case graph::Init::kOnes:
      t.fill(T(1));
      return;
    case graph::Init::kConstant:
      t.fill(static_cast<T>(init.a));
      return;
    case graph::Init::kUniform:
      uniform(t, init.a, init.b, rng);
      return;
    case graph::Init::kNormal: {
      std::normal_distribution<double> normal(init.a, init.b);
      for (T& v : t.data) v = static_cast<T>(normal(rng));
      return;
    }
    case graph::Init::kGlorotUniform: {
      const auto [fan_in, fan_out] = fans(t.shape);
      const double limit = std::sqrt(6.0 / (fan_in + fan_out));
      uniform(t, -limit, limit, rng);
      return;
    }
    case graph::Init::kOrthogonal:
      orthogonal(t, rng);
      return;
    case graph::Init::kLstmBias: {
      t.fill(T(0));
      const size_t h = t.data.size() / 4;
      std::fill(t.data.begin() + static_cast<std::ptrdiff_t>(h),
                t.data.begin() + static_cast<std::ptrdiff_t>(2 * h), T(1));
      return;
    }
  }
}

template void initialize(const graph::Initializer&, ops::Tensor<float>&, std::mt19937_64&);
template void initialize(const graph::Initializer&, ops::Tensor<double>&, std::mt19937_64&);

}  // namespace twinflow::runtime
