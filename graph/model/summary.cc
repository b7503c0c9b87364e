#include "graph/model/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "graph/ir/stacking.h"

namespace twinflow::graph {

namespace {

// Columns padded to their widest cell; widths count characters, not UTF-8 bytes ("×").
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string render() const {
    std::vector<size_t> widths;
    for (const auto& row : rows_) {
      widths.resize(std::max(widths.size(), row.size()), 0);
      for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], width(row[c]));
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line = " ";
      for (size_t c = 0; c < row.size(); ++c)
        line += " " + row[c] + std::string(widths[c] - width(row[c]) + 1, ' ');
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
    return out;
  }

 private:
  static size_t width(const std::string& s) {
    return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char ch) {
      return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    }));
  }
  std::vector<std::vector<std::string>> rows_;
};

// What the summary says of each layer of the spec.
struct LayerStats {
  int64_t params = 0;
  int uses = 0;  // calls, counting those made by a Sequential holding it
};

class Stats {
 public:
  explicit Stats(const Model& m) : m_(m) {
    for (const LayerSpec& layer : m.spec.layers) stats_.try_emplace(layer.name);
    for (auto& [name, s] : stats_) s.params = params_of(name);
    for (const Application& app : m.applications) count_use(app.layer, 0);
  }
  const LayerStats& at(const std::string& name) const { return stats_.at(name); }
  bool has(const std::string& name) const { return stats_.count(name) > 0; }

 private:
  // A Sequential's parameters are its distinct layers'.
  int64_t params_of(const std::string& name) const {
    std::set<std::string> seen;
    return params_under(name, seen);
  }
  int64_t params_under(const std::string& name, std::set<std::string>& seen) const {
    if (!seen.insert(name).second) return 0;
    const LayerSpec* layer = find(name);
    if (layer && layer->op == "Sequential") {
      int64_t total = 0;
      for (const std::string& inner : layer->layers) total += params_under(inner, seen);
      return total;
    }
    const std::optional<LayerId> id = m_.graph->find_layer(name);
    int64_t total = 0;
    if (id)
      for (ValueId p : m_.graph->layer(*id).params)
        total += m_.graph->value(p).shape.num_elements();
    return total;
  }
  void count_use(const std::string& name, size_t depth) {
    const auto it = stats_.find(name);
    if (it == stats_.end() || depth > stats_.size()) return;  // depth: a cyclic spec ends
    ++it->second.uses;
    if (const LayerSpec* layer = find(name); layer && layer->op == "Sequential")
      for (const std::string& inner : layer->layers) count_use(inner, depth + 1);
  }
  const LayerSpec* find(const std::string& name) const {
    for (const LayerSpec& layer : m_.spec.layers)
      if (layer.name == name) return &layer;
    return nullptr;
  }

  const Model& m_;
  std::map<std::string, LayerStats> stats_;
};

std::string shapes_of(const Graph& g, const std::vector<ValueId>& values) {
  std::vector<std::string> shapes;
  for (ValueId v : values) shapes.push_back(g.value(v).shape.to_string());
  return fmt::format("{}", fmt::join(shapes, ", "));
}

// As the spec spells it: a real input trains in float32 (float64 only in gradient checks).
std::string_view spec_dtype(DType dtype) { return dtype == DType::kInt32 ? "int32" : "float32"; }

std::string inputs_section(const Model& m) {
  Table t({"name", "shape", "dtype"});
  for (const InputSpec& input : m.spec.inputs) {
    const auto it = m.values.find(input.name);
    if (it == m.values.end()) continue;
    const Value& v = m.graph->value(it->second);
    t.add({input.name, v.shape.to_string(), std::string(spec_dtype(v.dtype))});
    // The n-gram rows of a text read by a subword Embedding: filled from the text, never given.
    if (const SubwordInput* sub = m.subword_input(input.name)) {
      const Value& pieces = m.graph->value(*m.graph->find_value(sub->pieces));
      t.add({sub->pieces, pieces.shape.to_string(), "int32, from " + input.name});
    }
  }
  return "Inputs:\n" + t.render();
}

std::string applications_section(const Model& m, const Stats& stats) {
  Table t({"name", "layer (op)", "output shape", "params", "inputs"});
  std::set<std::string> seen;
  for (const Application& app : m.applications) {
    std::string params = "0";
    if (stats.has(app.layer) && stats.at(app.layer).params > 0) {
      const LayerStats& s = stats.at(app.layer);
      params = with_thousands(s.params);
      if (s.uses > 1) params += fmt::format(" shared ×{}", s.uses);
      if (!seen.insert(app.layer).second) params = "(shared)";
    }
    t.add({app.name, fmt::format("{} ({})", app.layer, app.op), shapes_of(*m.graph, app.outputs),
           params, fmt::format("{}", fmt::join(app.inputs, ", "))});
  }
  return "Applications (in build order):\n" + t.render();
}

std::string layers_section(const Model& m) {
  Table t({"layer", "op", "params", "uses"});
  for (const LayerRow& row : layer_rows(m))
    t.add({row.name, row.op, with_thousands(row.params), fmt::format("×{}", row.uses)});
  return "Layers:\n" + t.render();
}

std::string loss_line(const Model& m) {
  if (!m.spec.loss || !m.loss) return "Loss: none\n";
  const LossSpec& loss = *m.spec.loss;
  std::string what = loss.op;
  if (loss.op == "expression") {
    what += ": " + loss.expr;
  } else {
    std::vector<std::string> roles;
    for (const auto& [role, ref] : loss.inputs) roles.push_back(role + "=" + ref.name);
    what += fmt::format("({})", fmt::join(roles, ", "));
  }
  return fmt::format("Loss: {} -> {}\n", what, m.graph->value(*m.loss).shape.to_string());
}

std::string outputs_and_totals(const Model& m) {
  std::vector<std::string> outputs;
  for (const NameRef& output : m.spec.outputs)
    if (const auto it = m.values.find(output.name); it != m.values.end())
      outputs.push_back(output.name + " " + m.graph->value(it->second).shape.to_string());
  const ParamTotals totals = param_totals(m);
  return fmt::format("Outputs: {}\n{}Total params: {}\nTrainable params: {}\nFrozen params: {}\n",
                     fmt::join(outputs, ", "), loss_line(m),
                     with_thousands(totals.trainable + totals.frozen),
                     with_thousands(totals.trainable), with_thousands(totals.frozen));
}

}  // namespace

std::string with_thousands(int64_t n) {
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::vector<LayerRow> layer_rows(const Model& model) {
  const Stats stats(model);
  std::vector<LayerRow> rows;
  std::set<std::string> seen;
  for (const LayerSpec& layer : model.spec.layers) {
    if (!seen.insert(layer.name).second) continue;
    const LayerStats& s = stats.at(layer.name);
    rows.push_back({layer.name, layer.op, s.params, s.uses});
  }
  return rows;
}

ParamTotals param_totals(const Model& model) {
  ParamTotals totals;
  for (ValueId p : model.graph->parameters()) {
    const Value& v = model.graph->value(p);
    (v.trainable ? totals.trainable : totals.frozen) += v.shape.num_elements();
  }
  return totals;
}

std::string model_summary(const Model& model) {
  const Stats stats(model);
  return fmt::format("Model: {}\n\n{}\n{}\n{}\n{}", model.spec.name, inputs_section(model),
                     applications_section(model, stats), layers_section(model),
                     outputs_and_totals(model));
}

std::string sharing_report(const Model& model) {
  const Graph& g = *model.graph;
  std::string out;
  for (const Layer& layer : g.layers()) {
    int64_t params = 0;
    for (ValueId p : layer.params) params += g.value(p).shape.num_elements();
    std::vector<std::string> nodes;
    for (NodeId n : layer.uses) nodes.push_back(g.node(n).name);
    const std::string head =
        fmt::format("{} ({}, {} params)", layer.name, layer.op->name, with_thousands(params));
    if (nodes.empty())
      out += head + " is never used\n";
    else if (nodes.size() == 1)
      out += fmt::format("{} used once: {}\n", head, nodes.front());
    else
      out += fmt::format("{} shared ×{}: {}\n", head, nodes.size(), fmt::join(nodes, ", "));
  }
  return out;
}

std::string stacking_summary(const Model& model) {
  const std::string report = stacking_report(*model.graph, plan_stacking(*model.graph));
  if (report.empty()) return report;
  return fmt::format("\nShared-branch batching ({}):\n{}",
                     model.spec.train.stack_shared
                         ? "on: train: stack_shared: true"
                         : "off; with train: stack_shared: true it would run",
                     report);
}

}  // namespace twinflow::graph
