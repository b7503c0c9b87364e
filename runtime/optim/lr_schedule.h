// runtime/optim/lr_schedule.h — the learning rate as a function of the step count.
//
//   t = updates already made (0 for the first), lr = the base rate, W = warmup_steps
//   warmup    t < W     lr · (t + 1) / W          a linear ramp that never gives 0
//   constant  t ≥ W     lr
//   step      t ≥ W     lr · factor^⌊(t − W) / every⌋
//   cosine    t ≥ W     lr · (f + (1 − f) · ½(1 + cos(π·p))),  p = min(1, (t − W) / (T − W))
//                       f = min_lr_fraction, T = total_steps (warmup included): the rate
//                       reaches lr·f at step T and stays there (Keras's CosineDecay, alpha = f)
// A decay "every N epochs" is a step decay with every = N × batches per epoch; the trainer,
// which knows the number of batches, does that conversion.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "graph/spec/spec.h"

namespace twinflow::runtime {

enum class ScheduleKind { kConstant, kStep, kCosine };

struct LrSchedule {
  ScheduleKind kind = ScheduleKind::kConstant;
  int64_t warmup_steps = 0;
  int64_t every = 0;             // step: the decay period, in updates
  double factor = 0.1;           // step: what the rate is multiplied by each period
  int64_t total_steps = 0;       // cosine: the update at which the floor is reached
  double min_lr_fraction = 0.0;  // cosine: the floor, as a fraction of the base rate
};

// Throws std::invalid_argument naming the option that is out of range.
void validate(const LrSchedule& schedule);

// The rate of update t (0-based) for base rate lr.
double scheduled_lr(const LrSchedule& schedule, double lr, int64_t t);

// A spec's schedule for a run of `epochs` epochs of `batches` updates each: periods in epochs
// become periods in updates, and a cosine decay ends with the last update.
LrSchedule schedule_for_run(const graph::ScheduleSpec& spec, int64_t batches, int64_t epochs);

// "constant" | "step" | "cosine"
std::optional<ScheduleKind> schedule_kind(std::string_view name);
std::string_view to_string(ScheduleKind kind);

}  // namespace twinflow::runtime
