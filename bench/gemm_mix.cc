#include "bench/gemm_mix.h"

namespace twinflow::bench {

namespace {

ops::RowMatrix<float> random_matrix(int64_t rows, int64_t cols) {
  // Values in [-0.5, 0.5]: the rate does not depend on them, only on not being denormal.
  return ops::RowMatrix<float>::Random(rows, cols) * 0.5f;
}

}  // namespace

double lstm_forward_flops(const LstmShapes& s, int64_t tokens) {
  const double n = static_cast<double>(tokens), g = 4.0 * static_cast<double>(s.units);
  return 2 * n * static_cast<double>(s.in) * g + 2 * n * static_cast<double>(s.units) * g;
}

GemmMix::GemmMix(const LstmShapes& s)
    : s_(s),
      x_(random_matrix(s.batch * s.steps, s.in)),
      w_(random_matrix(s.in, 4 * s.units)),
      u_(random_matrix(s.units, 4 * s.units)),
      z_(s.batch * s.steps, 4 * s.units),
      h_(random_matrix(s.batch * s.steps, s.units)),
      dz_(random_matrix(s.batch * s.steps, 4 * s.units)),
      dh_(s.batch, s.units),
      dw_(s.in, 4 * s.units),
      du_(s.units, 4 * s.units),
      dx_(s.batch * s.steps, s.in) {}

void GemmMix::forward() {
  z_.noalias() = x_ * w_;
  for (int64_t t = 0; t < s_.steps; ++t)
    z_.middleRows(t * s_.batch, s_.batch).noalias() += h_.middleRows(t * s_.batch, s_.batch) * u_;
}

void GemmMix::backward() {
  for (int64_t t = s_.steps - 1; t >= 0; --t)
    dh_.noalias() = dz_.middleRows(t * s_.batch, s_.batch) * u_.transpose();
  dw_.noalias() = x_.transpose() * dz_;
  du_.noalias() = h_.transpose() * dz_;
  dx_.noalias() = dz_ * w_.transpose();
}

}  // namespace twinflow::bench
