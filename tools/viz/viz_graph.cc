#include "tools/viz/viz_graph.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <stdexcept>

#include "graph/ir/attrs.h"
#include "graph/ir/suggest.h"
#include "graph/model/summary.h"
#include "tools/viz/bidirectional_view.h"
#include "tools/viz/labels.h"

namespace twinflow::viz {

namespace {

using graph::Graph;
using graph::Model;
using graph::NodeId;
using graph::ValueId;

// "a/b/c" -> {"a", "a/b", "a/b/c"}
std::vector<std::string> scope_chain(const std::string& scope) {
  std::vector<std::string> chain;
  for (size_t at = 0; !scope.empty() && at != std::string::npos;) {
    at = scope.find('/', at + 1);
    chain.push_back(scope.substr(0, at));
  }
  return chain;
}

class ForwardBuilder {
 public:
  ForwardBuilder(const Model& m, const ViewOptions& options)
      : m_(m), g_(*m.graph), options_(options), usage_(layer_usage(m)) {
    check_expand_names();
  }

  Drawing build() {
    d_.model = m_.spec.name;
    d_.rankdir = options_.rankdir;
    for (ValueId v : g_.inputs()) add_input(v);
    for (NodeId n = 0; n < static_cast<NodeId>(g_.nodes().size()); ++n) add_node(n);
    for (ValueId v : m_.outputs) add_output(v);
    if (options_.group) add_param_nodes();
    add_legend();
    return std::move(d_);
  }

 private:
  // What a scope's composite is: its application, or the expression loss.
  struct Composite {
    std::string op = "scope";
    std::string layer;
    std::vector<Attr> attrs;
  };

  Composite composite(const std::string& scope) const {
    Composite c;
    if (scope == "loss" && m_.spec.loss && m_.spec.loss->op == "expression") {
      c.op = "expression loss";
      c.attrs = {{"expr", m_.spec.loss->expr}};
      return c;
    }
    for (const graph::Application& app : m_.applications)
      if (app.name == scope) {
        c.op = app.op;
        c.layer = app.layer;
        if (const graph::LayerSpec* spec = m_.spec.find_layer(app.layer))
          c.attrs = composite_attrs(*spec);
      }
    return c;
  }

  std::string layer_name(const graph::Node& node) const {
    return node.layer >= 0 ? g_.layer(node.layer).name : std::string();
  }

  bool expanded(const std::string& name, const std::string& layer) const {
    if (options_.expand_all) return true;
    for (const std::string& e : options_.expand)
      if (e == name || (!layer.empty() && e == layer)) return true;
    return false;
  }
  bool scope_expanded(const std::string& scope) const {
    return expanded(scope, composite(scope).layer);
  }

  void check_expand_names() const {
    std::vector<std::string> names;
    for (const graph::Node& node : g_.nodes()) {
      for (const std::string& s : scope_chain(node.scope)) {
        names.push_back(s);
        names.push_back(composite(s).layer);
      }
      if (node.op->name == "Bidirectional") {
        names.push_back(node.name);
        names.push_back(layer_name(node));
      }
    }
    for (const std::string& e : options_.expand)
      if (std::find(names.begin(), names.end(), e) == names.end())
        throw std::invalid_argument(
            fmt::format("--expand: '{}' is not a composite of model {} (a Lambda, Sequential, "
                        "Bidirectional or expression loss, by application or layer name){}",
                        e, m_.spec.name, graph::did_you_mean(e, names)));
  }

  // The cluster a node of `scope` sits in when every scope of it is expanded, made on demand.
  std::string cluster_of(const std::vector<std::string>& chain, size_t depth) {
    std::string parent;
    for (size_t k = 0; k < depth; ++k) {
      const std::string id = "cluster_" + chain[k];
      if (made_clusters_.insert(id).second) {
        const Composite c = composite(chain[k]);
        const LayerUsage* u = usage_of(c.layer);
        d_.clusters.push_back({id, parent, chain[k], c.op, c.layer, u && u->uses > 1 ? u->uses : 0,
                               u ? u->params : 0, u ? u->fill : ""});
      }
      parent = id;
    }
    return parent;
  }

  const LayerUsage* usage_of(const std::string& layer) const {
    const auto it = usage_.find(layer);
    return it == usage_.end() ? nullptr : &it->second;
  }

  void fill_layer(DrawNode& node, const std::string& layer) const {
    node.layer = layer;
    if (const LayerUsage* u = usage_of(layer)) {
      node.shared = u->uses > 1 ? u->uses : 0;
      node.params = u->params;
      node.fill = u->fill;
    }
  }

  // The id of the visible node that stands for graph node n, making it on first sight.
  std::string unit_of(NodeId n) {
    const auto known = unit_.find(n);
    if (known != unit_.end()) return known->second;
    const graph::Node& node = g_.node(n);
    const std::vector<std::string> chain = scope_chain(node.scope);
    for (size_t k = 0; k < chain.size(); ++k)
      if (!scope_expanded(chain[k])) return unit_[n] = collapsed(chain, k);
    DrawNode draw;
    draw.name = node.name;
    draw.op = std::string(node.op->name);
    draw.attrs = node_attrs(g_, node);
    draw.cluster = cluster_of(chain, chain.size());
    fill_layer(draw, layer_name(node));
    if (!draw.layer.empty() && draw.params > 0) draw.param_layers = {draw.layer};
    draw.is_loss = m_.loss && node.output == *m_.loss;
    const bool bidirectional = node.op->name == "Bidirectional";
    if (bidirectional && expanded(node.name, draw.layer)) {
      expanded_bidirectional_.insert(n);
      return unit_[n] = expand_bidirectional(d_, m_, node, draw,
                                             [this](ValueId v) { return source_of(v); });
    }
    draw.kind = bidirectional ? NodeKind::kComposite : NodeKind::kOp;
    draw.id = "op:" + node.name;
    d_.nodes.push_back(draw);
    return unit_[n] = draw.id;
  }

  std::string collapsed(const std::vector<std::string>& chain, size_t k) {
    const std::string id = "cmp:" + chain[k];
    if (d_.find(id)) return id;
    const Composite c = composite(chain[k]);
    DrawNode draw;
    draw.id = id;
    draw.kind = NodeKind::kComposite;
    draw.name = chain[k];
    draw.op = c.op;
    draw.attrs = c.attrs;
    draw.cluster = cluster_of(chain, k);
    fill_layer(draw, c.layer);
    draw.is_loss = chain[k] == "loss" && c.op == "expression loss";
    d_.nodes.push_back(draw);
    return id;
  }

  // The visible node a value comes from.
  std::string source_of(ValueId v) {
    const graph::Value& value = g_.value(v);
    if (value.kind == graph::ValueKind::kInput) return "in:" + value.name;
    return unit_of(value.producer);
  }

  void add_input(ValueId v) {
    const graph::Value& value = g_.value(v);
    DrawNode draw;
    draw.id = "in:" + value.name;
    draw.kind = NodeKind::kInput;
    draw.name = value.name;
    draw.op = "Input";
    draw.attrs = {{"shape", shape_label(value)},
                  {"dtype", value.dtype == graph::DType::kInt32 ? "int32" : "float32"}};
    d_.nodes.push_back(draw);
  }

  void add_edge(DrawEdge edge) {
    const std::string key = edge.from + "\n" + edge.to + "\n" + edge.value;
    if (edge.from == edge.to || !made_edges_.insert(key).second) return;
    d_.edges.push_back(std::move(edge));
  }

  void add_node(NodeId n) {
    const graph::Node& node = g_.node(n);
    const std::string to = unit_of(n);
    if (expanded_bidirectional_.count(n)) return;  // its inner nodes and edges are made
    DrawNode* unit = d_.find(to);
    if (const std::string layer = layer_name(node); unit && !layer.empty()) {
      const LayerUsage* u = usage_of(layer);
      auto& pl = unit->param_layers;
      if (u && u->params > 0 && std::find(pl.begin(), pl.end(), layer) == pl.end())
        pl.push_back(layer);
    }
    if (unit && unit->kind == NodeKind::kComposite && m_.loss && node.output == *m_.loss)
      unit->is_loss = true;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const graph::Value& value = g_.value(node.inputs[i]);
      if (value.kind == graph::ValueKind::kParameter || value.kind == graph::ValueKind::kConstant)
        continue;
      DrawEdge edge{source_of(node.inputs[i]), to};
      edge.value = value_name(m_, node.inputs[i]);
      edge.value_id = node.inputs[i];
      edge.shape = shape_label(value);
      const bool ids = value.dtype == graph::DType::kInt32;
      edge.kind = ids && node.op->name != "Embedding" ? EdgeKind::kMask : EdgeKind::kData;
      edge.differentiable = !ids && value.kind == graph::ValueKind::kNodeOutput;
      add_edge(std::move(edge));
    }
  }

  void add_output(ValueId v) {
    const graph::Value& value = g_.value(v);
    DrawNode draw;
    draw.name = value_name(m_, v);
    draw.id = "out:" + draw.name;
    draw.kind = NodeKind::kOutput;
    draw.op = "Output";
    draw.attrs = {{"shape", shape_label(value)}};
    d_.nodes.push_back(draw);
    DrawEdge edge{source_of(v), draw.id};
    edge.value = draw.name;
    edge.value_id = v;
    edge.shape = shape_label(value);
    add_edge(std::move(edge));
  }

  void add_param_nodes() {
    for (const graph::Layer& layer : g_.layers()) {
      if (layer.params.empty()) continue;
      const DrawNode params = param_node(m_, layer.name, usage_.at(layer.name));
      d_.nodes.push_back(params);
      for (const DrawNode& node : std::vector<DrawNode>(d_.nodes)) {
        const auto& pl = node.param_layers;
        if (std::find(pl.begin(), pl.end(), layer.name) == pl.end()) continue;
        DrawEdge edge{params.id, node.id, EdgeKind::kParam};
        edge.value = layer.name;
        add_edge(std::move(edge));
      }
    }
  }

  void add_legend() {
    for (const graph::LayerSpec& layer : m_.spec.layers) {
      const LayerUsage& u = usage_.at(layer.name);
      if (u.params > 0 || u.uses > 1)
        d_.legend.push_back({layer.name, layer.op, u.fill, u.params, u.uses, u.trainable});
    }
    const int64_t trainable = total_params(g_, true);
    const int64_t frozen = total_params(g_, false);
    d_.title =
        fmt::format("{} — {} parameters", m_.spec.name, graph::with_thousands(trainable + frozen));
    if (frozen > 0) d_.title += fmt::format(" ({} frozen)", graph::with_thousands(frozen));
  }

  const Model& m_;
  const Graph& g_;
  const ViewOptions& options_;
  std::map<std::string, LayerUsage> usage_;
  Drawing d_;
  std::map<NodeId, std::string> unit_;
  std::set<std::string> made_clusters_;
  std::set<std::string> made_edges_;
  std::set<NodeId> expanded_bidirectional_;
};

}  // namespace

Drawing forward_view(const graph::Model& model, const ViewOptions& options) {
  return ForwardBuilder(model, options).build();
}

DrawNode param_node(const graph::Model& model, const std::string& layer, const LayerUsage& usage) {
  DrawNode node;
  node.id = "param:" + layer;
  node.kind = NodeKind::kParams;
  node.name = layer;
  node.op = usage.op;
  node.layer = layer;
  node.params = usage.params;
  node.shared = usage.uses > 1 ? usage.uses : 0;
  node.frozen = !usage.trainable;
  node.fill = usage.fill;
  if (const std::optional<graph::LayerId> id = model.graph->find_layer(layer))
    for (ValueId p : model.graph->layer(*id).params) {
      const graph::Value& v = model.graph->value(p);
      node.attrs.push_back({v.param.name, v.shape.to_string()});
    }
  return node;
}

}  // namespace twinflow::viz
