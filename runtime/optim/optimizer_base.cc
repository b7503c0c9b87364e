#include "runtime/optim/optimizer_base.h"

#include <fmt/format.h>

#include <charconv>
#include <set>
#include <stdexcept>

#include "ops/parallel.h"

namespace twinflow::runtime {

namespace {

std::string slot_tensor_name(std::string_view param, std::string_view slot) {
  return fmt::format("{}/{}", param, slot);
}

// A metadata number written by state(); the whole string must be the number.
template <typename N>
N metadata_number(const SafetensorsContent& state, const char* key, std::string_view source) {
  const auto it = state.metadata.find(key);
  if (it == state.metadata.end())
    throw SafetensorsError(
        fmt::format("{}: optimizer state has no '{}' in its metadata", source, key));
  N value{};
  const std::string& text = it->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    throw SafetensorsError(
        fmt::format("{}: optimizer state's {} '{}' is not a number", source, key, text));
  return value;
}

}  // namespace

template <typename T>
Optimizer<T>::Optimizer(std::string name, double lr, std::vector<SlotSpec> slots)
    : name_(std::move(name)), lr_(lr), slot_specs_(std::move(slots)) {
  if (slot_specs_.size() > kMaxSlots) throw std::logic_error("too many optimizer slots");
  set_lr(lr);
}

template <typename T>
void Optimizer<T>::set_lr(double lr) {
  if (!(lr > 0.0) || !std::isfinite(lr))
    throw std::invalid_argument(
        fmt::format("{}: lr must be a finite number > 0, got {}", name_, lr));
  lr_ = lr;
}

template <typename T>
void Optimizer<T>::set_clip(const ClipOptions& clip) {
  validate(clip);
  clip_ = clip;
}

template <typename T>
void Optimizer<T>::set_schedule(const LrSchedule& schedule) {
  validate(schedule);
  schedule_ = schedule;
}

template <typename T>
std::vector<typename Optimizer<T>::ParamSlots> Optimizer<T>::fresh_slots(
    const ParameterStore<T>& params) const {
  std::vector<ParamSlots> slots(params.all().size());
  for (size_t k = 0; k < slots.size(); ++k) {
    const Parameter<T>& p = params.all()[k];
    slots[k].param = p.name;
    slots[k].shape = p.data.shape;
    slots[k].trainable = p.trainable;
    if (!p.trainable) continue;
    for (size_t s = 0; s < slot_specs_.size(); ++s)
      slots[k].values[s].assign(p.data.data.size(), static_cast<T>(slot_specs_[s].initial_value));
  }
  return slots;
}

// One optimizer serves one store for its whole life; another store is a caller's bug.
template <typename T>
void Optimizer<T>::check_store(const ParameterStore<T>& params) const {
  if (slots_.size() != params.all().size())
    throw std::logic_error(fmt::format("{}: used with a store of {} parameters after one of {}",
                                       name_, params.all().size(), slots_.size()));
  for (size_t k = 0; k < slots_.size(); ++k) {
    const Parameter<T>& p = params.all()[k];
    if (p.name != slots_[k].param || p.data.shape != slots_[k].shape ||
        p.trainable != slots_[k].trainable ||
        (p.trainable && p.grad.data.size() != p.data.data.size()))
      throw std::logic_error(
          fmt::format("{}: parameter {} '{}' is not the one the optimizer was "
                      "made for ('{}')",
                      name_, k, p.name, slots_[k].param));
  }
}

template <typename T>
void Optimizer<T>::step(ParameterStore<T>& params) {
  if (slots_.empty() && !params.all().empty()) slots_ = fresh_slots(params);
  check_store(params);
  begin_step(scheduled_lr(schedule_, lr_, t_), t_ + 1);
  clipped_gradients(params, clip_, views_);
  const bool by_rows = rows() != Rows::kAll;
  for (size_t k = 0; k < params.all().size(); ++k) {
    Parameter<T>& p = params.all()[k];
    if (!p.trainable) continue;
    std::array<T*, kMaxSlots> slot{};
    for (size_t s = 0; s < slot_specs_.size(); ++s) slot[s] = slots_[k].values[s].data();
    if (by_rows && p.grad_rows.known)
      update_rows(p, p.data.data.data(), views_[k], slot);
    else
      update_all(p.data.data.data(), views_[k], slot, p.data.size());
  }
  ++t_;
}

template <typename T>
void Optimizer<T>::update_all(T* theta, GradientView<T> g, const std::array<T*, kMaxSlots>& slot,
                              int64_t n) const {
  if (n < kSplitElements) {
    update(theta, g, slot, n);
    return;
  }
  // The rules are elementwise, so the halves give the same bits as one pass.
  const int64_t half = n / 2 / 64 * 64;  // both halves start on a cache line boundary
  std::array<T*, kMaxSlots> upper{};
  for (size_t s = 0; s < slot_specs_.size(); ++s) upper[s] = slot[s] + half;
  ops::run_pair([&] { update(theta, g, slot, half); },
                [&] { update(theta + half, g.from(half), upper, n - half); });
}

// The runs of known rows, each as one update() call.
template <typename T>
void Optimizer<T>::update_rows(const Parameter<T>& p, T* theta, GradientView<T> g,
                               const std::array<T*, kMaxSlots>& slot) const {
  for_each_grad_range(
      p,
      [&](int64_t begin, int64_t n) {
        std::array<T*, kMaxSlots> at{};
        for (size_t s = 0; s < slot_specs_.size(); ++s) at[s] = slot[s] + begin;
        update(theta + begin, g.from(begin), at, n);
      },
      rows() == Rows::kLazy ? Visit::kRowsOnly : Visit::kFastest);
}

template <typename T>
SafetensorsContent Optimizer<T>::state() const {
  SafetensorsContent out;
  out.metadata = {{"format", "twinflow optimizer state"},
                  {"optimizer", name_},
                  {"step", fmt::format("{}", t_)},
                  {"lr", fmt::format("{}", lr_)}};
  for (const ParamSlots& p : slots_) {
    if (!p.trainable) continue;
    for (size_t s = 0; s < slot_specs_.size(); ++s)
      out.tensors.emplace(slot_tensor_name(p.param, slot_specs_[s].name),
                          to_stored(std::span<const T>(p.values[s]), p.shape));
  }
  return out;
}

template <typename T>
void Optimizer<T>::load_state(const SafetensorsContent& state, const ParameterStore<T>& params,
                              std::string_view source) {
  auto fail = [&](const std::string& message) {
    throw SafetensorsError(fmt::format("{}: {}", source, message));
  };
  const auto kind = state.metadata.find("optimizer");
  if (kind == state.metadata.end() || kind->second != name_)
    fail(fmt::format("the optimizer state is for '{}', this optimizer is '{}'",
                     kind == state.metadata.end() ? "?" : kind->second, name_));
  const auto t = metadata_number<int64_t>(state, "step", source);
  const auto lr = metadata_number<double>(state, "lr", source);
  if (t < 0 || !(lr > 0.0)) fail(fmt::format("the optimizer state has step {} and lr {}", t, lr));
  std::vector<ParamSlots> slots = fresh_slots(params);
  std::set<std::string, std::less<>> expected;
  for (ParamSlots& p : slots) {
    if (!p.trainable) continue;
    for (size_t s = 0; s < slot_specs_.size(); ++s) {
      const std::string name = slot_tensor_name(p.param, slot_specs_[s].name);
      const auto it = state.tensors.find(name);
      if (it == state.tensors.end())
        fail(fmt::format("the optimizer state has no tensor '{}'", name));
      if (it->second.shape != p.shape)
        fail(fmt::format("tensor '{}' has shape {}, the parameter {}", name,
                         it->second.shape.to_string(), p.shape.to_string()));
      p.values[s] = stored_values<T>(it->second, fmt::format("{}: tensor '{}'", source, name));
      expected.insert(name);
    }
  }
  for (const auto& entry : state.tensors)
    if (!expected.count(entry.first))
      fail(fmt::format("tensor '{}' of the optimizer state belongs to no parameter slot of {}",
                       entry.first, name_));
  slots_ = std::move(slots);
  t_ = t;
  lr_ = lr;
}

template <typename T>
void Optimizer<T>::save_state(const std::string& path) const {
  write_safetensors(path, state());
}

template <typename T>
void Optimizer<T>::load_state(const std::string& path, const ParameterStore<T>& params) {
  load_state(read_safetensors(path), params, path);
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace twinflow::runtime
