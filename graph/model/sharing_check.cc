#include "graph/model/sharing_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace twinflow::graph {

namespace {

// Whether node `later` reads, directly or through other nodes, the output of node `earlier`.
bool reads_from(const Graph& g, NodeId earlier, NodeId later) {
  std::vector<NodeId> stack{later};
  std::set<NodeId> seen;
  while (!stack.empty()) {
    const NodeId n = stack.back();
    stack.pop_back();
    for (ValueId v : g.node(n).inputs) {
      const NodeId producer = g.value(v).producer;
      if (producer == earlier) return true;
      if (producer >= 0 && seen.insert(producer).second) stack.push_back(producer);
    }
  }
  return false;
}

// A use of each layer where neither reads the other: the two sit on parallel branches.
std::optional<std::pair<NodeId, NodeId>> parallel_uses(const Graph& g, const Layer& a,
                                                       const Layer& b) {
  for (NodeId u : a.uses)
    for (NodeId v : b.uses)
      if (!reads_from(g, u, v) && !reads_from(g, v, u)) return std::pair{u, v};
  return std::nullopt;
}

// Sharing needs parameters of the same shapes; layers fed different widths could not share.
bool same_parameter_shapes(const Graph& g, const Layer& a, const Layer& b) {
  if (a.params.size() != b.params.size()) return false;
  for (size_t k = 0; k < a.params.size(); ++k)
    if (!(g.value(a.params[k]).shape == g.value(b.params[k]).shape)) return false;
  return true;
}

struct Candidate {
  const LayerSpec* spec;
  const Layer* layer;
  std::string configuration;
};

// Layers owning parameters that were applied at least once, in spec order.
std::vector<Candidate> applied_layers(const ModelSpec& spec, const Graph& g) {
  std::vector<Candidate> out;
  std::set<std::string> seen;
  for (const LayerSpec& layer : spec.layers) {
    if (!seen.insert(layer.name).second) continue;
    const std::optional<LayerId> id = g.find_layer(layer.name);
    if (!id || g.layer(*id).params.empty() || g.layer(*id).uses.empty()) continue;
    out.push_back({&layer, &g.layer(*id), layer_configuration(layer)});
  }
  return out;
}

}  // namespace

std::string layer_configuration(const LayerSpec& layer) {
  std::string out = layer.op;
  const OpSchema* op = op_registry().find(layer.op);
  if (op && op->describe && layer.attrs.has_value()) {
    try {
      out += "(" + op->describe(layer.attrs) + ")";
    } catch (const std::bad_any_cast&) {
      out += "(?)";
    }
  }
  out += layer.trainable ? ", trainable" : ", frozen";
  auto inits = layer.initializers;
  std::sort(inits.begin(), inits.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& [kind, init] : inits)
    out += fmt::format(", {}_initializer={}({}, {})", kind, to_string(init.kind), init.a, init.b);
  if (layer.pretrained)
    out += fmt::format(", pretrained={}:{}:{}", layer.pretrained->file, layer.pretrained->format,
                       layer.pretrained->missing);
  return out;
}

void warn_unshared_duplicates(const ModelSpec& spec, const Graph& g, Diagnostics& diags) {
  const std::vector<Candidate> layers = applied_layers(spec, g);
  for (size_t j = 0; j < layers.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const Candidate& first = layers[i];
      const Candidate& second = layers[j];
      if (first.configuration != second.configuration ||
          !same_parameter_shapes(g, *first.layer, *second.layer))
        continue;
      const auto uses = parallel_uses(g, *first.layer, *second.layer);
      if (!uses) continue;
      diags.warning(second.spec->loc,
                    fmt::format("layers '{}' and '{}' have identical configurations and are "
                                "applied on parallel branches ({}, {}) but do not share "
                                "parameters; if the branches should share weights, call one "
                                "layer in both",
                                first.spec->name, second.spec->name, g.node(uses->first).name,
                                g.node(uses->second).name));
      break;
    }
  }
}

}  // namespace twinflow::graph
