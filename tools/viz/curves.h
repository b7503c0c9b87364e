// tools/viz/curves.h — the training curves of a saved run (DIR/log.jsonl) as a chart.
//
// One panel per quantity: the loss, then each metric in the order the log first names it. A
// panel holds the training curve (blue, round markers) and the validation curve (val_<name>,
// orange, dashed, square markers) over the epochs, with axes, grid lines, tick labels and the
// best epoch as a green dotted line: the epoch whose weights the trainer kept. A title names
// the model and a legend sits under it.
//
// The chart is DOT text laid out here, not by Graphviz: every node carries its `pos` in points
// (y upward) and edges are straight segments between nodes, for Graphviz's "nop2" engine
// (neato -n2): render(curves_dot(...), "png", kCurvesEngine). Graphviz only draws it, so the
// SVG and PNG come from the same text and no plotting library is needed.
//
// Node ids, for tests and tools that read the DOT: "<q>/train/<epoch>" and "<q>/val/<epoch>"
// are the points of quantity q, "<q>/ytick/<k>" the k-th y tick label (its label is the value),
// "<q>/xtick/<k>" the x tick labels (the epoch), "<q>/best" the best epoch's label.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twinflow::viz {

// One line of log.jsonl: the epoch and its numbers in the log's order ("loss", "accuracy",
// "val_loss", ...), NaN where the log holds null (a non-finite value).
struct EpochRecord {
  int64_t epoch = 0;
  std::vector<std::pair<std::string, double>> values;
};

inline constexpr std::string_view kCurvesEngine = "nop2";

// The quantities that get a panel: "loss" first, then every other name (val_<q> counts as q)
// in the order of first appearance. "epoch" and "seconds" are not curves.
std::vector<std::string> panel_quantities(const std::vector<EpochRecord>& log);

// A run's best epoch as its state.json records it (runtime/train/monitor.h).
struct KeptEpoch {
  int64_t epoch = 0;  // 0: none (no validation data: the last epoch's weights are kept)
  std::string metric = "val_loss";
  bool weights_kept = true;  // false: `keep: last` kept the last epoch's weights instead
};

// The best epoch by the default monitor, for a log without its state.json: the first with the
// lowest val_loss, since only a strictly lower one replaces the best; a NaN never does. 0 when
// no epoch has a val_loss.
KeptEpoch best_epoch(const std::vector<EpochRecord>& log);

// The chart as DOT text for kCurvesEngine. `log` holds at least one epoch.
std::string curves_dot(std::string_view model_name, const std::vector<EpochRecord>& log,
                       const KeptEpoch& best);
// The same with the best epoch by the default monitor (best_epoch above).
std::string curves_dot(std::string_view model_name, const std::vector<EpochRecord>& log);

// Tick values for an axis over [lo, hi]: about `count` steps of 1, 2 or 5 × 10^k, the first at
// or below lo and the last at or above hi.
std::vector<double> nice_ticks(double lo, double hi, int count);

}  // namespace twinflow::viz
