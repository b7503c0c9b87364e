#include "runtime/train/monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "runtime/train/evaluation.h"

namespace twinflow::runtime {

namespace {

constexpr std::string_view kValPrefix = "val_";

std::optional<double> find_metric(const std::vector<std::pair<std::string, double>>& metrics,
                                  std::string_view name) {
  for (const auto& [n, value] : metrics)
    if (n == name) return value;
  return std::nullopt;
}

std::string metric_list(const ModelRoles& roles, std::span<const std::string> wanted,
                        bool tower_outputs) {
  std::string text = "loss";
  for (const std::string& name : metrics_shown(roles, wanted))
    if (metric_applies(roles, name, tower_outputs)) text += ", " + name;
  return text;
}

}  // namespace

std::optional<double> Monitor::value_in(const EpochLog& log) const {
  if (on_validation && !log.has_val) return std::nullopt;
  const std::string_view name =
      on_validation ? std::string_view(metric).substr(kValPrefix.size()) : metric;
  if (name == "loss") return on_validation ? log.val_loss : log.loss;
  return find_metric(on_validation ? log.val_metrics : log.metrics, name);
}

bool Monitor::improves(double value, double best) const {
  if (!std::isfinite(value)) return false;
  if (std::isnan(best)) return true;
  return higher_is_better ? value > best : value < best;
}

std::string best_epoch_line(const TrainState& state, bool keeps_best) {
  if (state.best_epoch == 0) return "";
  return fmt::format(
      "best epoch {} by {} ({:.4f}); {}", state.best_epoch, state.monitor, state.best_value,
      keeps_best ? "its weights are kept" : "the last epoch's weights are kept (keep: last)");
}

Monitor monitor_of(const graph::ModelSpec& spec, const ModelRoles& roles) {
  Monitor m;
  if (!spec.train.monitor) return m;
  const graph::MonitorSpec& given = *spec.train.monitor;
  m.metric = given.metric;
  m.on_validation = m.metric.starts_with(kValPrefix);
  const std::string name = m.on_validation ? m.metric.substr(kValPrefix.size()) : m.metric;
  m.higher_is_better = given.mode == "max" || (given.mode == "auto" && name != "loss");
  if (name == "loss") return m;
  const std::span<const std::string> wanted = metrics_shown(roles, spec.train.metrics);
  const bool asked = std::find(wanted.begin(), wanted.end(), name) != wanted.end();
  // A triplet model's validation pass keeps the tower outputs; its training pass does not when
  // there is a validation split, which a run monitoring the training pass need not have.
  const bool tower_outputs = m.on_validation;
  const std::string where = given.loc.known() ? given.loc.to_string() + ": " : "";
  if (!metric_applies(roles, name, tower_outputs))
    throw graph::RuntimeInputError(fmt::format(
        "{}train: monitor: metric '{}' is not measured for this model{}: its log shows {}{}", where,
        m.metric, tower_outputs ? "" : " on the training pass",
        metric_list(roles, spec.train.metrics, tower_outputs),
        metric_applies(roles, name, true) ? fmt::format("; monitor val_{}", name) : ""));
  if (!asked)
    throw graph::RuntimeInputError(fmt::format(
        "{}train: monitor: metric '{}' is not in the log: add {} to train: metrics (the log "
        "shows {})",
        where, m.metric, name, metric_list(roles, spec.train.metrics, tower_outputs)));
  return m;
}

}  // namespace twinflow::runtime
