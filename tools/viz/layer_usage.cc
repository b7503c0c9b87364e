#include "tools/viz/layer_usage.h"

#include <array>
#include <set>

namespace twinflow::viz {

namespace {

// ColorBrewer Set3 without its red (kept for the loss) and grey (kept for frozen layers).
constexpr std::array<const char*, 10> kPalette = {"#8dd3c7", "#ffffb3", "#bebada", "#80b1d3",
                                                  "#fdb462", "#b3de69", "#fccde5", "#bc80bd",
                                                  "#ccebc5", "#ffed6f"};

int64_t own_params(const graph::Model& m, const std::string& name) {
  const std::optional<graph::LayerId> id = m.graph->find_layer(name);
  int64_t total = 0;
  if (id)
    for (graph::ValueId p : m.graph->layer(*id).params)
      total += m.graph->value(p).shape.num_elements();
  return total;
}

// A Sequential's parameters are its distinct layers'; `seen` also ends a cyclic spec.
int64_t params_under(const graph::Model& m, const std::string& name, std::set<std::string>& seen) {
  if (!seen.insert(name).second) return 0;
  const graph::LayerSpec* layer = m.spec.find_layer(name);
  if (!layer || layer->op != "Sequential") return own_params(m, name);
  int64_t total = 0;
  for (const std::string& inner : layer->layers) total += params_under(m, inner, seen);
  return total;
}

void count_use(const graph::Model& m, const std::string& name,
               std::map<std::string, LayerUsage>& usage, size_t depth) {
  const auto it = usage.find(name);
  if (it == usage.end() || depth > usage.size()) return;
  ++it->second.uses;
  if (const graph::LayerSpec* layer = m.spec.find_layer(name); layer && layer->op == "Sequential")
    for (const std::string& inner : layer->layers) count_use(m, inner, usage, depth + 1);
}

}  // namespace

std::map<std::string, LayerUsage> layer_usage(const graph::Model& model) {
  std::map<std::string, LayerUsage> usage;
  for (const graph::LayerSpec& layer : model.spec.layers) {
    std::set<std::string> seen;
    usage[layer.name] =
        LayerUsage{layer.op, 0, params_under(model, layer.name, seen), layer.trainable, ""};
  }
  for (const graph::Application& app : model.applications) count_use(model, app.layer, usage, 0);
  size_t next = 0;
  for (const graph::LayerSpec& layer : model.spec.layers) {
    LayerUsage& u = usage[layer.name];
    if (u.uses > 1) u.fill = kPalette[next++ % kPalette.size()];
  }
  return usage;
}

int64_t total_params(const graph::Graph& g, bool trainable) {
  int64_t total = 0;
  for (graph::ValueId p : g.parameters())
    if (g.value(p).trainable == trainable) total += g.value(p).shape.num_elements();
  return total;
}

}  // namespace twinflow::viz
