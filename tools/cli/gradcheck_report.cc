#include "tools/cli/gradcheck_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace twinflow::cli {

namespace {

// One row per parameter: the largest gradient probed and, at the worst element, the error and
// the gradient it was made on, so an error on a gradient of 1e-9 reads as what it is.
std::string format_table(const autograd::GradCheckReport& report) {
  size_t width = 9;
  for (const auto& t : report.tensors) width = std::max(width, t.name.size());
  std::string out =
      fmt::format("{:<{}}  {:<14} {:>9}  {:>12}  {:>11}  {:>11}\n", "parameter", width, "shape",
                  "probes", "largest |g|", "worst error", "|g| there");
  for (const auto& t : report.tensors) {
    std::string probes = std::to_string(t.probes);
    if (t.skipped) probes += fmt::format(" ({} at a kink)", t.skipped);
    out += fmt::format("{:<{}}  {:<14} {:>9}  {:>12.2e}  {:>11.2e}  {:>11.2e}{}\n", t.name, width,
                       t.shape.to_string(), probes, t.largest, t.worst_error, std::abs(t.numeric),
                       t.worst_error <= report.tolerance ? "" : "  FAIL");
  }
  return out;
}

}  // namespace

int64_t probed_elements(const graph::Graph& g, int64_t max_probes) {
  int64_t elements = 0;
  for (graph::ValueId p : g.parameters())
    if (g.value(p).trainable)
      elements += autograd::probe_count(g.value(p).shape.num_elements(), max_probes);
  return elements;
}

std::string gradcheck_text(const graph::Model& model, const autograd::GradCheckReport& report,
                           int64_t batch, bool training) {
  const std::string objective =
      model.loss ? "the loss" : "output '" + model.graph->value(model.outputs.front()).name + "'";
  return fmt::format(
             "{}: d({})/dθ, float64, batch {}, {} mode, eps 1e-6, finite-difference noise {:.1e}\n",
             model.spec.name, objective, batch, training ? "training" : "inference", report.noise) +
         format_table(report) +
         fmt::format(
             "worst error {:.2e} (|analytic − numeric| / (|numeric| + scale), "
             "autograd/gradcheck.h), tolerance {:.1e}: {}\n",
             report.worst_error(), report.tolerance, report.passed() ? "PASS" : "FAIL");
}

std::vector<std::string> below_noise_warnings(const autograd::GradCheckReport& report) {
  std::vector<std::string> warnings;
  for (const auto& t : report.tensors)
    if (t.below_noise(report.noise))
      warnings.push_back(
          fmt::format("every gradient of {} is below the finite differences' noise ({:.1e}): the "
                      "check cannot tell anything about it",
                      t.name, report.noise));
  return warnings;
}

}  // namespace twinflow::cli
