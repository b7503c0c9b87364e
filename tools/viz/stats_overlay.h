// tools/viz/stats_overlay.h — activation and gradient sizes of a trained model on one batch,
// drawn onto a Drawing (`twinflow viz --stats DIR --data F`).
//
// collect_stats loads a saved model directory (twinflow train --out), reads the first rows of
// a data file, runs them forward (dropout off, as in evaluation) and backward through
// autograd::Tape, and keeps for every value the RMS of its activation and of its gradient —
// for a sequence [B, T, E] also the gradient's RMS at each time step, where a vanishing or
// exploding LSTM gradient shows — and for every layer the RMS of its parameters' gradient.
//
// apply_stats colours each edge by its gradient's RMS on a log scale — blue below 1e-7
// (vanishing), green around 1e-3, red above 1e2 (exploding) — makes it thicker with the
// activation's RMS, colours parameter nodes the same way, and puts the numbers in tooltips.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/viz/drawing.h"

namespace twinflow::viz {

struct ValueStats {
  double activation_rms = 0.0;
  double grad_rms = 0.0;
  bool has_grad = false;
  std::vector<double> grad_rms_by_step;  // [B, T, ...] values only
};

struct LayerStats {
  double param_rms = 0.0;
  double grad_rms = 0.0;
  bool has_grad = false;
};

struct ModelStats {
  std::string model;
  int64_t rows = 0;
  double loss = 0.0;
  std::map<std::string, ValueStats> values;
  std::map<std::string, LayerStats> layers;
};

// Throws runtime::ModelDirError, runtime::DataError or graph::RuntimeInputError.
ModelStats collect_stats(const std::string& model_dir, const std::string& data_file, int64_t rows);

// Throws std::invalid_argument when the stats come from a model of another name.
void apply_stats(Drawing& d, const ModelStats& stats);

// The colour of a gradient RMS, as Graphviz "H S V".
std::string gradient_color(double rms, double saturation = 0.85);

}  // namespace twinflow::viz
