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
    out += fmt::format(
        "{:<32} {:<14} worst {:.3e} at [{}] analytic {:.12g} numeric {:.12g}, largest |grad| "
        "{:.2e}",
        t.name, t.shape.to_string(), t.worst_error, t.worst_index, t.analytic, t.numeric,
        t.largest);
    if (t.skipped) out += fmt::format(" ({} of {} probes at a kink, skipped)", t.skipped, t.probes);
    out += "\n";
  }
  for (const TensorCheck& t : tensors)
    if (t.below_noise(noise))
      out += fmt::format(
          "warning: every gradient of {} is below the finite differences' noise {:.1e}: "
          "the check cannot tell anything there\n",
          t.name, noise);
  out += fmt::format("worst error {:.3e} (tolerance {:.1e}): {}", worst_error(), tolerance,
                     passed() ? "PASS" : "FAIL");
  return out;
}

int64_t probe_count(int64_t n, int64_t max_probes) {
  return max_probes > 0 ? std::min(n, max_probes) : n;
}

namespace {

constexpr double kRoundingUlps = 16.0;     // of F, in L's rounding error
constexpr double kScaleFraction = 1e-3;    // of the tensor's largest gradient
constexpr double kNoiseTolerance = 1e-6;   // the relative error `noise` counts as, in s
constexpr double kUnitRoundoff = 0x1p-52;  // float64

double objective(const Tape<double>& tape, ValueId output, const Tensor<double>& dy) {
  const Tensor<double>& y = tape.value(output);
  double sum = 0.0;
  for (size_t i = 0; i < y.data.size(); ++i) sum += dy.data[i] * y.data[i];
  return sum;
}

// F = Σ |dy ⊙ y|, the size of the terms L adds up.
double magnitude(const Tape<double>& tape, ValueId output, const Tensor<double>& dy) {
  const Tensor<double>& y = tape.value(output);
  double sum = 0.0;
  for (size_t i = 0; i < y.data.size(); ++i) sum += std::abs(dy.data[i] * y.data[i]);
  return sum;
}

// One probed element: its central difference, and whether a step crossed a kink.
struct Probe {
  int64_t index = 0;
  double numeric = 0.0;
  bool at_kink = false;
};

struct Prober {
  Tape<double>& tape;
  ValueId output;
  const Tensor<double>& dy;
  const GradCheckOptions& options;
  uint64_t base_signature;

  double at(Tensor<double>& x, size_t k, double value, bool& kink) {
    x.data[k] = value;
    tape.forward(options.training, options.seed);
    kink = kink || tape.kink_signature() != base_signature;
    return objective(tape, output, dy);
  }

  std::vector<Probe> run(Tensor<double>& x) {
    const int64_t n = x.size();
    const int64_t count = probe_count(n, options.max_probes_per_tensor);
    std::vector<Probe> probes;
    for (int64_t p = 0; p < count; ++p) {
      const int64_t i = count == n ? p : p * n / count;
      const size_t k = static_cast<size_t>(i);
      const double original = x.data[k];
      bool kink = false;
      const double plus = at(x, k, original + options.eps, kink);
      const double minus = at(x, k, original - options.eps, kink);
      x.data[k] = original;
      probes.push_back({i, (plus - minus) / (2.0 * options.eps), kink});
    }
    return probes;
  }
};

// The worst error of a tensor's probes against its analytic gradient, as in gradcheck.h.
void judge(TensorCheck& check, const std::vector<Probe>& probes, const Tensor<double>& analytic,
           double noise) {
  for (const Probe& p : probes) {
    ++check.probes;
    if (p.at_kink)
      ++check.skipped;
    else if (std::isfinite(p.numeric))
      check.largest = std::max(check.largest, std::abs(p.numeric));
  }
  check.scale = kScaleFraction * check.largest + noise / kNoiseTolerance;
  for (const Probe& p : probes) {
    if (p.at_kink) continue;
    const double a = analytic.data[static_cast<size_t>(p.index)];
    // An exact match scores 0, also where every gradient and so the scale is 0 (a dead relu).
    const double gap = std::abs(a - p.numeric);
    const double error = gap == 0.0 ? 0.0 : gap / (std::abs(p.numeric) + check.scale);
    if (!(error <= check.worst_error) || check.worst_index < 0) {
      check.worst_error = std::isnan(error) ? std::numeric_limits<double>::infinity() : error;
      check.worst_index = p.index;
      check.analytic = a;
      check.numeric = p.numeric;
    }
  }
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

  GradCheckReport report;
  report.tolerance = options.tolerance;
  report.noise = (kRoundingUlps * kUnitRoundoff / options.eps + options.eps * options.eps) *
                 magnitude(tape, output, dy);
  Prober prober{tape, output, dy, options, tape.kink_signature()};
  for (ValueId v : wrt) {
    Tensor<double>& x = tensor_of(v);
    TensorCheck check{graph.value(v).name, x.shape};
    judge(check, prober.run(x), analytic.at(v), report.noise);
    report.tensors.push_back(std::move(check));
  }
  tape.forward(options.training, options.seed);  // leave values as they were
  for (ValueId v : wrt) tape.bind_grad(v, nullptr);
  return report;
}

}  // namespace twinflow::autograd
