// runtime/optim/optimizer_base.h — what every optimizer shares: the step, clipping, the
// learning-rate schedule, the per-parameter slots (moments) and their saved state. The update rules
// themselves are in runtime/optim/optimizer.h.
//
// step(): t ← t + 1, lr_t = scheduled_lr(schedule, lr, t − 1), the gradients are read through
// clipping (runtime/optim/gradient_clip.h), and each trainable parameter is updated by the rule in
// one pass over its elements. Frozen parameters are skipped and own no slots. Slots are made
// on the first step (or by load_state); after that a step allocates nothing.
//
// Row-sparse tables: when the rows of a table's gradient are known (GradRows, in
// runtime/exec/parameter_store.h), a rule whose rows() is kExact or kLazy updates those rows only.
// kExact is for rules that leave an element whose gradient is zero, and its slots, exactly as they
// are (sgd without momentum, adagrad): the result is the dense update's, bit for bit, at the cost
// of the rows a batch used instead of the whole table (when they are few enough for that to be
// faster: kRowsShare in runtime/exec/parameter_store.h). kLazy is a rule defined on the used rows
// (lazy_adam). Every other rule (kAll) moves elements whose gradient is zero too — moments decay
// every step — and updates everything.
//
// State: every slot as the tensor "<parameter>/<slot>" ("emb.embeddings/velocity") in the
// store's dtype, and metadata optimizer, step and lr (the base rate, written in the shortest
// form that reads back to the same double). Loading it into an optimizer built from the same
// spec continues the run exactly: in float64 the parameters match an uninterrupted run bit for
// bit. The state must match the model exactly; anything else is an error naming the tensor.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/exec/parameter_store.h"
#include "runtime/io/safetensors.h"
#include "runtime/optim/gradient_clip.h"
#include "runtime/optim/lr_schedule.h"

namespace twinflow::runtime {

inline constexpr size_t kMaxSlots = 3;  // RMSprop: velocity, momentum, average_gradient
// A parameter this large is updated in two halves on two cores (ops/parallel.h): the step is
// memory-bound, and bench/optimizer_bench.cc measures what the second core adds.
inline constexpr int64_t kSplitElements = int64_t{1} << 17;

template <typename T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every trainable parameter from its accumulated gradient.
  void step(ParameterStore<T>& params);

  const std::string& name() const { return name_; }  // "adam", as in specs
  int64_t steps() const { return t_; }               // updates made so far
  double base_lr() const { return lr_; }
  double lr() const { return scheduled_lr(schedule_, lr_, t_); }  // the next step's rate
  void set_lr(double lr);  // the base rate; the schedule scales it
  void set_clip(const ClipOptions& clip);
  void set_schedule(const LrSchedule& schedule);
  const ClipOptions& clip() const { return clip_; }
  const LrSchedule& schedule() const { return schedule_; }

  SafetensorsContent state() const;
  // `source` names the state in messages. Throws SafetensorsError, leaving the optimizer as it
  // was, when the state is for another optimizer or another set of parameters.
  void load_state(const SafetensorsContent& state, const ParameterStore<T>& params,
                  std::string_view source);
  void save_state(const std::string& path) const;
  void load_state(const std::string& path, const ParameterStore<T>& params);

 protected:
  struct SlotSpec {
    std::string name;
    double initial_value = 0.0;
  };
  Optimizer(std::string name, double lr, std::vector<SlotSpec> slots);

  enum class Rows { kAll, kExact, kLazy };  // see above
  virtual Rows rows() const { return Rows::kAll; }
  // The rule's constants for update t (1 for the first) at rate lr, before any update().
  virtual void begin_step(double lr, int64_t t) = 0;
  // Updates elements [0, n) of one parameter; slot[s] points at slot s's elements. Called on
  // disjoint ranges of one parameter at once, so it must not write members.
  virtual void update(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
                      int64_t n) const = 0;

 private:
  struct ParamSlots {
    std::string param;  // the parameter's name: a step checks the store is the one it knows
    graph::Shape shape;
    bool trainable = false;  // frozen parameters own no slot values
    std::array<std::vector<T>, kMaxSlots> values;
  };
  std::vector<ParamSlots> fresh_slots(const ParameterStore<T>& params) const;
  void update_all(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
                  int64_t n) const;
  void update_rows(const Parameter<T>& p, T* theta, GradientView<T> g,
                   const std::array<T*, kMaxSlots>& slot) const;
  void check_store(const ParameterStore<T>& params) const;

  std::string name_;
  double lr_;
  std::vector<SlotSpec> slot_specs_;
  ClipOptions clip_;
  LrSchedule schedule_;
  int64_t t_ = 0;
  std::vector<ParamSlots> slots_;  // one per parameter of the store, in its order
  std::vector<GradientView<T>> views_;
};

extern template class Optimizer<float>;
extern template class Optimizer<double>;

}  // namespace twinflow::runtime
