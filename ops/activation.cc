#include "ops/activation.h"

#include <cmath>

#include "ops/op_def.h"

namespace twinflow::ops {

using graph::Activation;

template <typename T>
T sigmoid(T z) {
  // Two branches keep exp() from overflowing for large |z|.
  if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
  const T e = std::exp(z);
  return e / (T(1) + e);
}

template <typename T>
void activate(Activation a, MatrixMap<T> z) {
  switch (a) {
    case Activation::kLinear:
      return;
    case Activation::kRelu:
      z = z.cwiseMax(T(0));
      return;
    case Activation::kSigmoid:
      z = z.unaryExpr([](T v) { return sigmoid(v); });
      return;
    case Activation::kTanh:
      z = z.array().tanh().matrix();
      return;
    case Activation::kSoftmax:
      for (Eigen::Index r = 0; r < z.rows(); ++r) {
        auto row = z.row(r);
        row = (row.array() - row.maxCoeff()).exp().matrix();
        row /= row.sum();
      }
      return;
  }
}

template <typename T>
void activation_vjp(Activation a, ConstMatrixMap<T> y, ConstMatrixMap<T> dy, MatrixMap<T> dz) {
  switch (a) {
    case Activation::kLinear:
      dz = dy;
      return;
    case Activation::kRelu:
      dz = (y.array() > T(0)).select(dy.array(), T(0)).matrix();
      return;
    case Activation::kSigmoid:
      dz = (dy.array() * y.array() * (T(1) - y.array())).matrix();
      return;
    case Activation::kTanh:
      dz = (dy.array() * (T(1) - y.array().square())).matrix();
      return;
    case Activation::kSoftmax:
      for (Eigen::Index r = 0; r < y.rows(); ++r) {
        const T inner = dy.row(r).dot(y.row(r));
        dz.row(r) = (y.row(r).array() * (dy.row(r).array() - inner)).matrix();
      }
      return;
  }
}

template <typename T>
uint64_t activation_kink_signature(Activation a, ConstMatrixMap<T> y) {
  uint64_t h = kSignatureSeed;
  if (a != Activation::kRelu) return h;
  for (Eigen::Index i = 0; i < y.size(); ++i) h = mix_signature(h, y.data()[i] > T(0));
  return h;
}

template float sigmoid(float);
template double sigmoid(double);
template void activate(Activation, MatrixMap<float>);
template void activate(Activation, MatrixMap<double>);
template void activation_vjp(Activation, ConstMatrixMap<float>, ConstMatrixMap<float>,
                             MatrixMap<float>);
template void activation_vjp(Activation, ConstMatrixMap<double>, ConstMatrixMap<double>,
                             MatrixMap<double>);
template uint64_t activation_kink_signature(Activation, ConstMatrixMap<float>);
template uint64_t activation_kink_signature(Activation, ConstMatrixMap<double>);

}  // namespace twinflow::ops
