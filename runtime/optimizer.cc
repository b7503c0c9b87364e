#include "runtime/optimizer.h"

#include <cmath>

namespace twinflow::runtime {

namespace {

// Slot tensors shaped like the parameters, made on the first step.
template <typename T>
void ensure_slots(std::vector<ops::Tensor<T>>& slots, const ParameterStore<T>& params) {
  if (slots.size() == params.all().size()) return;
  slots.clear();
  for (const Parameter<T>& p : params.all()) slots.emplace_back(p.data.shape);
}

}  // namespace

template <typename T>
void Adam<T>::step(ParameterStore<T>& params) {
  ensure_slots(m_, params);
  ensure_slots(v_, params);
  ++t_;
  const double step_size = config_.lr * std::sqrt(1.0 - std::pow(config_.beta2, t_)) /
                           (1.0 - std::pow(config_.beta1, t_));
  const T b1 = static_cast<T>(config_.beta1), b2 = static_cast<T>(config_.beta2);
  const T lr_t = static_cast<T>(step_size), eps = static_cast<T>(config_.epsilon);
  for (size_t k = 0; k < params.all().size(); ++k) {
    Parameter<T>& p = params.all()[k];
    if (!p.trainable) continue;
    auto theta = ops::VectorMap<T>(p.data.data.data(), p.data.size());
    auto g = ops::ConstVectorMap<T>(p.grad.data.data(), p.grad.size());
    auto m = ops::VectorMap<T>(m_[k].data.data(), m_[k].size());
    auto v = ops::VectorMap<T>(v_[k].data.data(), v_[k].size());
    m = b1 * m + (T(1) - b1) * g;
    v = b2 * v + (T(1) - b2) * g.cwiseProduct(g);
    theta.array() -= lr_t * m.array() / (v.array().sqrt() + eps);
  }
}

template <typename T>
void Sgd<T>::step(ParameterStore<T>& params) {
  ensure_slots(velocity_, params);
  const T lr = static_cast<T>(lr_), mu = static_cast<T>(momentum_);
  for (size_t k = 0; k < params.all().size(); ++k) {
    Parameter<T>& p = params.all()[k];
    if (!p.trainable) continue;
    auto theta = ops::VectorMap<T>(p.data.data.data(), p.data.size());
    auto g = ops::ConstVectorMap<T>(p.grad.data.data(), p.grad.size());
    auto vel = ops::VectorMap<T>(velocity_[k].data.data(), velocity_[k].size());
    vel = mu * vel - lr * g;
    theta += vel;
  }
}

template class Adam<float>;
template class Adam<double>;
template class Sgd<float>;
template class Sgd<double>;

}  // namespace twinflow::runtime
