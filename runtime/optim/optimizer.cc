#include "runtime/optim/optimizer.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace twinflow::runtime {

namespace {

void check_range(std::string_view optimizer, std::string_view option, double v, double lo,
                 double hi, bool hi_included) {
  const bool ok = v >= lo && (hi_included ? v <= hi : v < hi);
  if (!ok)
    throw std::invalid_argument(fmt::format("{}: {} must be in [{}, {}{}, got {}", optimizer,
                                            option, lo, hi, hi_included ? "]" : ")", v));
}

void check_positive(std::string_view optimizer, std::string_view option, double v) {
  if (!(v > 0.0) || !std::isfinite(v))
    throw std::invalid_argument(
        fmt::format("{}: {} must be a finite number > 0, got {}", optimizer, option, v));
}

}  // namespace

// ---- Sgd

template <typename T>
Sgd<T>::Sgd(SgdConfig config)
    : Optimizer<T>("sgd", config.lr,
                   config.momentum > 0.0
                       ? std::vector<typename Optimizer<T>::SlotSpec>{{"momentum", 0.0}}
                       : std::vector<typename Optimizer<T>::SlotSpec>{}),
      config_(config) {
  check_range("sgd", "momentum", config.momentum, 0.0, 1.0, true);
}

template <typename T>
void Sgd<T>::begin_step(double lr, int64_t) {
  lr_t_ = static_cast<T>(lr);
}

template <typename T>
void Sgd<T>::update(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
                    int64_t n) const {
  const T lr = lr_t_, mu = static_cast<T>(config_.momentum);
  T* m = slot[0];
  if (config_.momentum == 0.0) {
    for (int64_t i = 0; i < n; ++i) theta[i] -= lr * g[i];
  } else if (config_.nesterov) {
    for (int64_t i = 0; i < n; ++i) {
      const T gi = g[i], mi = mu * m[i] - lr * gi;
      m[i] = mi;
      theta[i] += mu * mi - lr * gi;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      m[i] = mu * m[i] - lr * g[i];
      theta[i] += m[i];
    }
  }
}

// ---- Adam (and LazyAdam, which is Adam on fewer rows)

template <typename T>
Adam<T>::Adam(AdamConfig config) : Adam("adam", config) {}

template <typename T>
Adam<T>::Adam(std::string name, AdamConfig config)
    : Optimizer<T>(name, config.lr, {{"momentum", 0.0}, {"velocity", 0.0}}), config_(config) {
  check_range(name, "beta_1", config.beta1, 0.0, 1.0, false);
  check_range(name, "beta_2", config.beta2, 0.0, 1.0, false);
  check_positive(name, "epsilon", config.epsilon);
}

template <typename T>
void Adam<T>::begin_step(double lr, int64_t t) {
  const double td = static_cast<double>(t);
  alpha_ = static_cast<T>(lr * std::sqrt(1.0 - std::pow(config_.beta2, td)) /
                          (1.0 - std::pow(config_.beta1, td)));
}

template <typename T>
void Adam<T>::update(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
                     int64_t n) const {
  const T b1 = static_cast<T>(config_.beta1), c1 = static_cast<T>(1.0 - config_.beta1);
  const T b2 = static_cast<T>(config_.beta2), c2 = static_cast<T>(1.0 - config_.beta2);
  const T eps = static_cast<T>(config_.epsilon), alpha = alpha_;
  T* m = slot[0];
  T* v = slot[1];
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = b1 * m[i] + c1 * gi;
    const T vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    theta[i] -= alpha * mi / (std::sqrt(vi) + eps);
  }
}

// ---- Rmsprop

template <typename T>
Rmsprop<T>::Rmsprop(RmspropConfig config)
    : Optimizer<T>("rmsprop", config.lr,
                   [&config] {
                     std::vector<typename Optimizer<T>::SlotSpec> slots{{"velocity", 0.0}};
                     if (config.momentum > 0.0) slots.push_back({"momentum", 0.0});
                     if (config.centered) slots.push_back({"average_gradient", 0.0});
                     return slots;
                   }()),
      config_(config) {
  check_range("rmsprop", "rho", config.rho, 0.0, 1.0, false);
  check_range("rmsprop", "momentum", config.momentum, 0.0, 1.0, true);
  check_positive("rmsprop", "epsilon", config.epsilon);
}

template <typename T>
void Rmsprop<T>::begin_step(double lr, int64_t) {
  lr_t_ = static_cast<T>(lr);
}

namespace {

// One loop per variant, so that none tests its options per element.
template <bool kMomentum, bool kCentered, typename T>
void rmsprop_loop(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot, int64_t n,
                  const RmspropConfig& config, T lr) {
  const T rho = static_cast<T>(config.rho), c = static_cast<T>(1.0 - config.rho);
  const T mu = static_cast<T>(config.momentum), eps = static_cast<T>(config.epsilon);
  T* v = slot[0];
  T* m = slot[1];
  T* a = slot[kMomentum ? 2 : 1];
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T vi = rho * v[i] + c * gi * gi;
    v[i] = vi;
    T d = vi + eps;
    if constexpr (kCentered) {
      const T ai = rho * a[i] + c * gi;
      a[i] = ai;
      d = vi - ai * ai + eps;
    }
    const T delta = lr * gi / std::sqrt(d);
    if constexpr (kMomentum) {
      const T mi = mu * m[i] + delta;
      m[i] = mi;
      theta[i] -= mi;
    } else {
      theta[i] -= delta;
    }
  }
}

}  // namespace

template <typename T>
void Rmsprop<T>::update(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
                        int64_t n) const {
  const bool momentum = config_.momentum > 0.0;
  if (momentum && config_.centered)
    rmsprop_loop<true, true>(theta, g, slot, n, config_, lr_t_);
  else if (momentum)
    rmsprop_loop<true, false>(theta, g, slot, n, config_, lr_t_);
  else if (config_.centered)
    rmsprop_loop<false, true>(theta, g, slot, n, config_, lr_t_);
  else
    rmsprop_loop<false, false>(theta, g, slot, n, config_, lr_t_);
}

// ---- Adagrad

template <typename T>
Adagrad<T>::Adagrad(AdagradConfig config)
    : Optimizer<T>("adagrad", config.lr, {{"accumulator", config.initial_accumulator_value}}),
      config_(config) {
  if (!(config.initial_accumulator_value >= 0.0) ||
      !std::isfinite(config.initial_accumulator_value))
    throw std::invalid_argument(
        fmt::format("adagrad: initial_accumulator_value must be a finite number >= 0, got {}",
                    config.initial_accumulator_value));
  check_positive("adagrad", "epsilon", config.epsilon);
}

template <typename T>
void Adagrad<T>::begin_step(double lr, int64_t) {
  lr_t_ = static_cast<T>(lr);
}

template <typename T>
void Adagrad<T>::update(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
                        int64_t n) const {
  const T lr = lr_t_, eps = static_cast<T>(config_.epsilon);
  T* acc = slot[0];
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T ai = acc[i] + gi * gi;
    acc[i] = ai;
    theta[i] -= lr * gi / std::sqrt(ai + eps);
  }
}

// ---- the factory

template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(const graph::OptimizerSpec& spec,
                                             const LrSchedule& schedule) {
  std::unique_ptr<Optimizer<T>> optimizer;
  if (spec.name == "sgd")
    optimizer = std::make_unique<Sgd<T>>(SgdConfig{spec.lr, spec.momentum, spec.nesterov});
  else if (spec.name == "adam")
    optimizer =
        std::make_unique<Adam<T>>(AdamConfig{spec.lr, spec.beta_1, spec.beta_2, spec.epsilon});
  else if (spec.name == "lazy_adam")
    optimizer =
        std::make_unique<LazyAdam<T>>(AdamConfig{spec.lr, spec.beta_1, spec.beta_2, spec.epsilon});
  else if (spec.name == "rmsprop")
    optimizer = std::make_unique<Rmsprop<T>>(
        RmspropConfig{spec.lr, spec.rho, spec.momentum, spec.epsilon, spec.centered});
  else if (spec.name == "adagrad")
    optimizer = std::make_unique<Adagrad<T>>(
        AdagradConfig{spec.lr, spec.initial_accumulator_value, spec.epsilon});
  else
    throw std::invalid_argument(fmt::format(
        "unknown optimizer '{}' (expected sgd, adam, lazy_adam, rmsprop or adagrad)", spec.name));
  optimizer->set_clip(ClipOptions{spec.clipnorm, spec.global_clipnorm, spec.clipvalue});
  optimizer->set_schedule(schedule);
  return optimizer;
}

template class Sgd<float>;
template class Sgd<double>;
template class Adam<float>;
template class Adam<double>;
template class LazyAdam<float>;
template class LazyAdam<double>;
template class Rmsprop<float>;
template class Rmsprop<double>;
template class Adagrad<float>;
template class Adagrad<double>;
template std::unique_ptr<Optimizer<float>> make_optimizer(const graph::OptimizerSpec&,
                                                          const LrSchedule&);
template std::unique_ptr<Optimizer<double>> make_optimizer(const graph::OptimizerSpec&,
                                                           const LrSchedule&);

}  // namespace twinflow::runtime
