#include "autograd/gradcheck.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace twinflow::autograd {

double GradCheckReport::worst_error() const {
  double worst = 0.0;
  for (const TensorCheck& t : tensors) worst = std::max(worst, t.worst_error);
  return worst;
}

bool GradCheckReport::passed() const {
  for (const TensorCheck& t : tensors) {
    if (!(t.worst_error <= tolerance)) return false;  // NaN fails too
    if (t.probes > 0 && t.skipped == t.probes) return false;
  }
  return !tensors.empty();
}

std::string GradCheckReport::to_string() const {
  std::string out;
  for (const TensorCheck& t : tensors) {
    out +=
        fmt::format("{:<32} {:<14} worst {:.3e} at [{}] analytic {:.12g} numeric {:.12g}", t.name,
                    t.shape.to_string(), t.worst_error, t.worst_index, t.analytic, t.numeric);
    if (t.skipped) out += fmt::format(" ({} of {} probes at a kink, skipped)", t.skipped, t.probes);
    out += "\n";
  }
  out += fmt::format("worst relative error {:.3e} (tolerance {:.1e}): {}", worst_error(), tolerance,
                     passed() ? "PASS" : "FAIL");
  return out;
}

namespace {

double objective(const Tape<double>& tape, ValueId output, const Tensor<double>& dy) {
  const Tensor<double>& y = tape.value(output);
  double sum = 0.0;
  for (size_t i = 0; i < y.data.size(); ++i) sum += dy.data[i] * y.data[i];
  return sum;
}

}  // namespace

GradCheckReport check_gradients(const graph::Graph& graph, Feeds& feeds,
                                std::map<ValueId, Tensor<double>>& params, ValueId output,
                                const std::vector<ValueId>& wrt, const GradCheckOptions& options) {
  Tape<double> tape(graph);
  for (auto& [v, t] : feeds.reals) tape.bind(v, &t);
  for (auto& [v, t] : feeds.ids) tape.bind_ids(v, &t);
  for (auto& [v, t] : params) tape.bind(v, &t);

  auto tensor_of = [&](ValueId v) -> Tensor<double>& {
    if (auto it = params.find(v); it != params.end()) return it->second;
    if (auto it = feeds.reals.find(v); it != feeds.reals.end()) return it->second;
    throw graph::GraphError(
        fmt::format("gradcheck: no real data bound to '{}'", graph.value(v).name));
  };

  tape.forward(options.training, options.seed);
  std::mt19937_64 rng(options.seed ^ 0x5eedULL);
  std::normal_distribution<double> normal(0.0, 1.0);
  Tensor<double> dy(tape.value(output).shape);
  for (double& d : dy.data) d = normal(rng);

  std::map<ValueId, Tensor<double>> analytic;
  for (ValueId v : wrt) {
    analytic.emplace(v, Tensor<double>(tensor_of(v).shape));
    tape.bind_grad(v, &analytic.at(v));
  }
  tape.backward(output, dy);
  const uint64_t base_signature = tape.kink_signature();

  GradCheckReport report;
  report.tolerance = options.tolerance;
  for (ValueId v : wrt) {
    Tensor<double>& x = tensor_of(v);
    TensorCheck check{graph.value(v).name, x.shape};
    const int64_t n = x.size();
    const int64_t stride =
        options.max_probes_per_tensor > 0 && n > options.max_probes_per_tensor
            ? (n + options.max_probes_per_tensor - 1) / options.max_probes_per_tensor
            : 1;
    for (int64_t i = 0; i < n; i += stride) {
      const size_t k = static_cast<size_t>(i);
      const double original = x.data[k];
      x.data[k] = original + options.eps;
      tape.forward(options.training, options.seed);
      const double plus = objective(tape, output, dy);
      const bool kink_plus = tape.kink_signature() != base_signature;
      x.data[k] = original - options.eps;
      tape.forward(options.training, options.seed);
      const double minus = objective(tape, output, dy);
      const bool kink_minus = tape.kink_signature() != base_signature;
      x.data[k] = original;
      ++check.probes;
      if (kink_plus || kink_minus) {
        ++check.skipped;
        continue;
      }
      const double numeric = (plus - minus) / (2.0 * options.eps);
      const double a = analytic.at(v).data[k];
      const double error = std::abs(a - numeric) / std::max({std::abs(a), std::abs(numeric), 1.0});
      if (!(error <= check.worst_error) || check.worst_index < 0) {
        check.worst_error = std::isnan(error) ? std::numeric_limits<double>::infinity() : error;
        check.worst_index = i;
        check.analytic = a;
        check.numeric = numeric;
      }
    }
    report.tensors.push_back(std::move(check));
  }
  tape.forward(options.training, options.seed);  // leave values as they were
  for (ValueId v : wrt) tape.bind_grad(v, nullptr);
  return report;
}

}  // namespace twinflow::autograd
