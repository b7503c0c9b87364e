// tools/cli/gradcheck_report.h — a whole-model gradient check as `twinflow gradcheck` prints it
// (the Python package's Model.gradcheck() shows the same text).
//
//   tiny: d(the loss)/dθ, float64, batch 2, inference mode, eps 1e-6, finite-difference noise ...
//   parameter        shape             probes   largest |g|  worst error    |g| there
//   emb.embeddings   [20, 8]              160      3.21e-02     1.10e-09     4.00e-03
//   ...
//   worst error 1.10e-09 (|analytic − numeric| / (|numeric| + scale), ...), tolerance 1.0e-06: PASS
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "graph/model/model.h"

namespace twinflow::cli {

// The elements a check of every trainable parameter probes (max_probes 0: every element).
int64_t probed_elements(const graph::Graph& g, int64_t max_probes);

// The heading, one row per parameter and the verdict; `batch` and `training` as checked.
std::string gradcheck_text(const graph::Model& model, const autograd::GradCheckReport& report,
                           int64_t batch, bool training);

// A warning for each parameter whose every gradient is below the finite differences' noise.
std::vector<std::string> below_noise_warnings(const autograd::GradCheckReport& report);

}  // namespace twinflow::cli
