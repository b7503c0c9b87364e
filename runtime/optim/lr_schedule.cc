#include "runtime/optim/lr_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace twinflow::runtime {

void validate(const LrSchedule& s) {
  auto fail = [](std::string message) { throw std::invalid_argument("schedule: " + message); };
  if (s.warmup_steps < 0) fail(fmt::format("warmup_steps must be >= 0, got {}", s.warmup_steps));
  if (s.kind == ScheduleKind::kStep) {
    if (s.every < 1) fail(fmt::format("step decay needs every >= 1 update, got {}", s.every));
    if (!(s.factor > 0.0 && s.factor <= 1.0))
      fail(fmt::format("step decay needs a factor in (0, 1], got {}", s.factor));
  }
  if (s.kind == ScheduleKind::kCosine) {
    if (s.total_steps <= s.warmup_steps)
      fail(fmt::format("cosine decay needs total_steps ({}) greater than warmup_steps ({})",
                       s.total_steps, s.warmup_steps));
    if (!(s.min_lr_fraction >= 0.0 && s.min_lr_fraction <= 1.0))
      fail(fmt::format("min_lr_fraction must be in [0, 1], got {}", s.min_lr_fraction));
  }
}

double scheduled_lr(const LrSchedule& s, double lr, int64_t t) {
  if (t < s.warmup_steps)
    return lr * static_cast<double>(t + 1) / static_cast<double>(s.warmup_steps);
  const int64_t after = t - s.warmup_steps;
  switch (s.kind) {
    case ScheduleKind::kConstant:
      return lr;
    case ScheduleKind::kStep:
      return lr * std::pow(s.factor, static_cast<double>(after / s.every));
    case ScheduleKind::kCosine: {
      const double span = static_cast<double>(s.total_steps - s.warmup_steps);
      const double p = std::min(1.0, static_cast<double>(after) / span);
      const double f = s.min_lr_fraction;
      return lr * (f + (1.0 - f) * 0.5 * (1.0 + std::cos(std::numbers::pi * p)));
    }
  }
  return lr;
}

LrSchedule schedule_for_run(const graph::ScheduleSpec& spec, int64_t batches, int64_t epochs) {
  LrSchedule s;
  const std::optional<ScheduleKind> kind = schedule_kind(spec.name);
  if (!kind) throw std::invalid_argument(fmt::format("schedule: unknown name '{}'", spec.name));
  s.kind = *kind;
  s.warmup_steps = spec.warmup_steps;
  s.every = spec.every_epochs * batches;
  s.factor = spec.factor;
  s.total_steps = epochs * batches;
  s.min_lr_fraction = spec.min_lr_fraction;
  return s;
}

std::optional<ScheduleKind> schedule_kind(std::string_view name) {
  for (ScheduleKind k : {ScheduleKind::kConstant, ScheduleKind::kStep, ScheduleKind::kCosine})
    if (to_string(k) == name) return k;
  return std::nullopt;
}

std::string_view to_string(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::kConstant:
      return "constant";
    case ScheduleKind::kStep:
      return "step";
    case ScheduleKind::kCosine:
      return "cosine";
  }
  return "?";
}

}  // namespace twinflow::runtime
