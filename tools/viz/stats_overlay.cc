#include "tools/viz/stats_overlay.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "runtime/data/batches.h"
#include "runtime/data/input_columns.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/saved/saved_model.h"
#include "tools/viz/labels.h"

namespace twinflow::viz {

namespace {

constexpr double kVanishing = 1e-7;
constexpr double kExploding = 1e2;

template <class Values>
double rms(const Values& x, size_t begin = 0, size_t end = SIZE_MAX) {
  end = std::min(end, x.size());
  if (end <= begin) return 0.0;
  double sum = 0.0;
  for (size_t i = begin; i < end; ++i) sum += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  return std::sqrt(sum / static_cast<double>(end - begin));
}

// Gradient RMS at each step t of a [B, T, ...] tensor.
template <typename T>
std::vector<double> rms_by_step(const ops::Tensor<T>& g) {
  std::vector<double> out;
  if (g.shape.rank() < 3) return out;
  const int64_t b = g.shape[0], steps = g.shape[1];
  const int64_t inner = g.shape.num_elements() / std::max<int64_t>(b * steps, 1);
  for (int64_t t = 0; t < steps; ++t) {
    double sum = 0.0;
    for (int64_t r = 0; r < b; ++r)
      for (int64_t k = 0; k < inner; ++k) {
        const double x =
            static_cast<double>(g.data[static_cast<size_t>((r * steps + t) * inner + k)]);
        sum += x * x;
      }
    out.push_back(std::sqrt(sum / static_cast<double>(std::max<int64_t>(b * inner, 1))));
  }
  return out;
}

template <typename T>
ModelStats run_batch(const runtime::SavedModel& saved, runtime::ParameterStore<T>& params,
                     const std::string& data_file, int64_t rows) {
  const graph::Model& m = saved.model;
  if (!m.loss) throw std::invalid_argument("--stats: model " + m.spec.name + " has no loss");
  runtime::Dataset data = runtime::read_tsv(data_file, runtime::input_columns(m.spec));
  data.encode(saved.vocab, m.subword_inputs);
  std::vector<int64_t> order(static_cast<size_t>(std::min(rows, data.rows())));
  std::iota(order.begin(), order.end(), 0);
  if (order.empty()) throw std::invalid_argument("--data " + data_file + ": no rows");
  runtime::Batch<T> batch;
  runtime::gather(data, order, batch);
  runtime::Executor<T> executor(*m.graph, params);
  runtime::feed(executor, batch);
  executor.forward(false, saved.state.seed);
  params.zero_grad();
  executor.backward(*m.loss);
  ModelStats s{
      m.spec.name, batch.size(), static_cast<double>(executor.value(*m.loss).data[0]), {}, {}};
  const graph::Graph& g = *m.graph;
  for (graph::ValueId v = 0; v < static_cast<graph::ValueId>(g.values().size()); ++v) {
    const graph::Value& value = g.value(v);
    if (value.dtype != graph::DType::kReal || value.kind == graph::ValueKind::kParameter ||
        value.kind == graph::ValueKind::kConstant)
      continue;
    ValueStats vs;
    vs.activation_rms = rms(executor.value(v).data);
    if (const ops::Tensor<T>* grad = executor.tape().grad(v)) {
      vs.has_grad = true;
      vs.grad_rms = rms(grad->data);
      vs.grad_rms_by_step = rms_by_step(*grad);
    }
    s.values[viz::value_name(m, v)] = vs;
  }
  for (const graph::Layer& layer : g.layers()) {
    double value_sq = 0.0, grad_sq = 0.0, n = 0.0;
    bool has_grad = false;
    for (graph::ValueId p : layer.params) {
      const runtime::Parameter<T>* param = params.find(p);
      const double count = static_cast<double>(param->data.size());
      value_sq += std::pow(rms(param->data.data), 2) * count;
      if (!param->grad.data.empty()) {
        has_grad = true;
        grad_sq += std::pow(rms(param->grad.data), 2) * count;
      }
      n += count;
    }
    if (n > 0) s.layers[layer.name] = {std::sqrt(value_sq / n), std::sqrt(grad_sq / n), has_grad};
  }
  return s;
}

std::string fmt_rms(double x) { return fmt::format("{:.2e}", x); }

std::string value_tooltip(const ValueStats& v) {
  std::string text = "activation rms " + fmt_rms(v.activation_rms);
  if (v.has_grad) text += "\ngradient rms " + fmt_rms(v.grad_rms);
  if (v.grad_rms < kVanishing && v.has_grad) text += " (vanishing)";
  if (v.grad_rms > kExploding) text += " (exploding)";
  if (!v.grad_rms_by_step.empty()) {
    text += "\ngradient rms by step:";
    for (size_t t = 0; t < v.grad_rms_by_step.size(); ++t)
      text += fmt::format("{}t{} {:.1e}", t % 5 == 0 ? "\n" : "  ", t, v.grad_rms_by_step[t]);
  }
  return text;
}

}  // namespace

ModelStats collect_stats(const std::string& model_dir, const std::string& data_file, int64_t rows) {
  ModelStats out;
  runtime::with_saved_model(
      model_dir, [&](const runtime::SavedModel& saved, const runtime::ModelRoles&, auto& params) {
        out = run_batch(saved, params, data_file, rows);
        return 0;
      });
  return out;
}

std::string gradient_color(double rms, double saturation) {
  const double lo = std::log10(kVanishing), hi = std::log10(kExploding);
  const double t = rms > 0 ? std::clamp((std::log10(rms) - lo) / (hi - lo), 0.0, 1.0) : 0.0;
  return fmt::format("{:.3f} {:.3f} {:.3f}", 0.66 * (1.0 - t), saturation, 0.85);
}

void apply_stats(Drawing& d, const ModelStats& stats) {
  if (stats.model != d.model)
    throw std::invalid_argument(
        fmt::format("--stats: the model directory holds model '{}', the spec declares '{}'",
                    stats.model, d.model));
  d.title += fmt::format(" — statistics of {} rows, loss {:.4f}", stats.rows, stats.loss);
  for (DrawEdge& e : d.edges) {
    if (const auto v = stats.values.find(e.value); v != stats.values.end()) {
      e.tooltip = value_tooltip(v->second);
      if (v->second.has_grad) e.color = gradient_color(v->second.grad_rms);
      e.penwidth = 1.0 + std::clamp(std::log10(v->second.activation_rms + 1e-12) + 3.0, 0.0, 3.0);
    } else if (const auto l = stats.layers.find(e.value); l != stats.layers.end()) {
      if (l->second.has_grad) e.color = gradient_color(l->second.grad_rms);
      e.tooltip = "gradient rms " + fmt_rms(l->second.grad_rms);
    }
  }
  for (DrawNode& n : d.nodes) {
    const auto l = stats.layers.find(n.name);
    if (n.kind != NodeKind::kParams || l == stats.layers.end()) continue;
    n.tooltip = "parameter rms " + fmt_rms(l->second.param_rms);
    if (!l->second.has_grad) continue;
    n.tooltip += "\ngradient rms " + fmt_rms(l->second.grad_rms);
    n.fill = gradient_color(l->second.grad_rms, 0.35);
  }
}

}  // namespace twinflow::viz
