// runtime/train/monitor.h — the value of an epoch's log line that picks a run's best epoch and
// stops it early (a spec's `train: monitor: {metric, mode}`; val_loss, lower is better, when
// absent).
//
// The metric is "loss", "val_loss", or a metric the log line shows (runtime/train/evaluation.h),
// as measured on the training pass or, prefixed val_, on the validation split. It is checked
// against the model before any data is read: a metric the log would never hold (recall_at_1 of
// a pair model, auc left out of `metrics:`) is an error naming the spec's line. Mode auto is min
// for a loss and max for every other metric, as Keras's EarlyStopping reads its names.
#pragma once

#include <optional>
#include <string>

#include "graph/model/model.h"
#include "runtime/saved/model_dir.h"
#include "runtime/saved/model_roles.h"

namespace twinflow::runtime {

struct Monitor {
  std::string metric = "val_loss";  // as the log names it
  bool higher_is_better = false;
  bool on_validation = true;  // the value exists only in a run with a validation split

  // The epoch's value of the metric; none when the log has no such value.
  std::optional<double> value_in(const EpochLog& log) const;
  // Whether `value` improves on `best` (NaN: no best yet, and any finite value improves on it).
  bool improves(double value, double best) const;
};

// What a run's end says of its best epoch: "best epoch 3 by val_auc (0.9012); its weights are
// kept" (or "...; the last epoch's weights are kept (keep: last)"); "" when none was picked.
std::string best_epoch_line(const TrainState& state, bool keeps_best);

// The spec's monitor; throws graph::RuntimeInputError, naming the spec's file and line, when
// the model's log lines would not hold its metric.
Monitor monitor_of(const graph::ModelSpec& spec, const ModelRoles& roles);

}  // namespace twinflow::runtime
