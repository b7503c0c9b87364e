// runtime/optimizer.h — parameter updates from accumulated gradients.
//
//   SGD   v ← μ·v − lr·g;  θ ← θ + v                       (μ = 0: plain gradient descent)
//   Adam  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//         θ ← θ − lr·sqrt(1−β2^t)/(1−β1^t) · m / (sqrt(v) + ε)
//         Keras defaults: lr 1e-3, β1 0.9, β2 0.999, ε 1e-7.
// Frozen parameters are skipped.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/parameter_store.h"

namespace twinflow::runtime {

struct AdamConfig {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-7;
};

template <typename T>
class Adam {
 public:
  explicit Adam(AdamConfig config = {}) : config_(config) {}
  void step(ParameterStore<T>& params);
  int64_t steps() const { return t_; }

 private:
  AdamConfig config_;
  int64_t t_ = 0;
  std::vector<ops::Tensor<T>> m_, v_;
};

template <typename T>
class Sgd {
 public:
  explicit Sgd(double lr, double momentum = 0.0) : lr_(lr), momentum_(momentum) {}
  void step(ParameterStore<T>& params);

 private:
  double lr_, momentum_;
  std::vector<ops::Tensor<T>> velocity_;
};

extern template class Adam<float>;
extern template class Adam<double>;
extern template class Sgd<float>;
extern template class Sgd<double>;

}  // namespace twinflow::runtime
