// runtime/optim/ (twinflow_runtime_optim): one optimizer step.
// Owns the optimizers, learning-rate schedules, gradient clipping and optimizer state.
// May include: runtime/io, runtime/exec and below.
//
// runtime/optim/optimizer.h — the optimizers, with Keras 3's formulas and defaults, and the factory
// that builds one from a spec's `optimizer:`.
//
// g is the clipped gradient, lr the scheduled rate, t the update (1 for the first).
//   Sgd      momentum μ = 0:  θ ← θ − lr·g
//            μ > 0:  m ← μ·m − lr·g;  θ ← θ + m;   nesterov: θ ← θ + μ·m − lr·g (new m)
//   Adam     m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//            θ ← θ − α·m / (√v + ε),  α = lr·√(1−β2^t) / (1−β1^t)
//   Rmsprop  v ← ρ·v + (1−ρ)·g²;  centered: a ← ρ·a + (1−ρ)·g, d = v − a² + ε; else d = v + ε
//            Δ = lr·g / √d;   μ > 0: m ← μ·m + Δ, θ ← θ − m;   μ = 0: θ ← θ − Δ
//   Adagrad  a ← a + g²  (a starts at initial_accumulator_value);  θ ← θ − lr·g / √(a + ε)
//   LazyAdam Adam's formulas, t and α included, applied to the rows of an Embedding table the
//            batch used (R, runtime/exec/touched_rows.h) and to nothing else of it: a row not in
//            R keeps θ, m and v as they are. A DIFFERENT algorithm from Adam, which decays every
//            row's m and v each step (so a row unused for a while still moves); TensorFlow
//            Addons' LazyAdam, whose bias correction also uses the global t. Parameters that
//            are not row-sparse tables (and a table whose rows are unknown) get Adam's update.
// Sgd without momentum and Adagrad leave an element with a zero gradient as it is, so on a
// table they update the used rows only and give the same bits as the update of every row
// (runtime/optim/optimizer_base.h); Sgd with momentum, Adam and RMSprop update every row.
// Keras 2 put ε outside the root in Adagrad and in RMSprop without momentum (√v + ε); Keras 3,
// followed here, puts it inside. Slots carry Keras's names: momentum, velocity,
// average_gradient, accumulator. The shared machinery is in runtime/optim/optimizer_base.h.
#pragma once

#include <memory>

#include "graph/spec/spec.h"
#include "runtime/optim/optimizer_base.h"

namespace twinflow::runtime {

struct SgdConfig {
  double lr = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
};

struct AdamConfig {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-7;
};

struct RmspropConfig {
  double lr = 1e-3;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
};

struct AdagradConfig {
  double lr = 1e-3;
  double initial_accumulator_value = 0.1;
  double epsilon = 1e-7;
};

// Constructors throw std::invalid_argument naming an option out of range.
template <typename T>
class Sgd final : public Optimizer<T> {
 public:
  explicit Sgd(SgdConfig config = {});

 private:
  typename Optimizer<T>::Rows rows() const override {
    return config_.momentum == 0.0 ? Optimizer<T>::Rows::kExact : Optimizer<T>::Rows::kAll;
  }
  void begin_step(double lr, int64_t t) override;
  void update(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
              int64_t n) const override;
  SgdConfig config_;
  T lr_t_ = T(0);
};

template <typename T>
class Adam : public Optimizer<T> {
 public:
  explicit Adam(AdamConfig config = {});

 protected:
  Adam(std::string name, AdamConfig config);

 private:
  void begin_step(double lr, int64_t t) override;
  void update(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
              int64_t n) const override;
  AdamConfig config_;
  T alpha_ = T(0);
};

// Adam's update, handed only the used rows of a table by the base class.
template <typename T>
class LazyAdam final : public Adam<T> {
 public:
  explicit LazyAdam(AdamConfig config = {}) : Adam<T>("lazy_adam", config) {}

 private:
  typename Optimizer<T>::Rows rows() const override { return Optimizer<T>::Rows::kLazy; }
};

template <typename T>
class Rmsprop final : public Optimizer<T> {
 public:
  explicit Rmsprop(RmspropConfig config = {});

 private:
  void begin_step(double lr, int64_t t) override;
  void update(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
              int64_t n) const override;
  RmspropConfig config_;
  T lr_t_ = T(0);
};

template <typename T>
class Adagrad final : public Optimizer<T> {
 public:
  explicit Adagrad(AdagradConfig config = {});

 private:
  typename Optimizer<T>::Rows rows() const override { return Optimizer<T>::Rows::kExact; }
  void begin_step(double lr, int64_t t) override;
  void update(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
              int64_t n) const override;
  AdagradConfig config_;
  T lr_t_ = T(0);
};

// Throws std::invalid_argument for an unknown name or an option out of range.
template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(const graph::OptimizerSpec& spec,
                                             const LrSchedule& schedule = {});

extern template class Sgd<float>;
extern template class Sgd<double>;
extern template class Adam<float>;
extern template class Adam<double>;
extern template class LazyAdam<float>;
extern template class LazyAdam<double>;
extern template class Rmsprop<float>;
extern template class Rmsprop<double>;
extern template class Adagrad<float>;
extern template class Adagrad<double>;
extern template std::unique_ptr<Optimizer<float>> make_optimizer(const graph::OptimizerSpec&,
                                                                 const LrSchedule&);
extern template std::unique_ptr<Optimizer<double>> make_optimizer(const graph::OptimizerSpec&,
                                                                  const LrSchedule&);

}  // namespace twinflow::runtime
