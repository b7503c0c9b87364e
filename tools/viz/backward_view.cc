#include "tools/viz/backward_view.h"

#include <algorithm>
#include <map>
#include <set>

#include "tools/viz/layer_usage.h"
#include "tools/viz/viz_graph.h"

namespace twinflow::viz {

namespace {

bool computes(const DrawNode& n) {
  return n.kind == NodeKind::kOp || n.kind == NodeKind::kComposite;
}

class BackwardBuilder {
 public:
  BackwardBuilder(const graph::Model& m, const Drawing& forward)
      : m_(m), f_(forward), usage_(layer_usage(m)) {}

  Drawing build() {
    d_.model = f_.model;
    d_.title = f_.title + " — backward pass";
    d_.rankdir = f_.rankdir;
    d_.legend = f_.legend;
    find_gradient_nodes();
    add_seed();
    // Reverse order: the loss's VJP first, the first layer's last.
    for (auto it = f_.nodes.rbegin(); it != f_.nodes.rend(); ++it)
      if (has_grad_.count(it->id)) add_gradient_node(*it);
    add_value_gradients();
    add_param_gradients();
    keep_used_clusters();
    return std::move(d_);
  }

 private:
  bool trainable(const std::string& layer) const {
    const auto it = usage_.find(layer);
    return it != usage_.end() && it->second.trainable;
  }

  // A node gets a VJP when the loss reaches it and it leads to a trainable parameter.
  void find_gradient_nodes() {
    std::set<std::string> leads, reached;
    for (const DrawNode& n : f_.nodes)
      if (computes(n) && std::any_of(n.param_layers.begin(), n.param_layers.end(),
                                     [&](const std::string& l) { return trainable(l); }))
        leads.insert(n.id);
    for (bool changed = true; changed;) {
      changed = false;
      for (const DrawEdge& e : f_.edges)
        if (e.differentiable && leads.count(e.from) && computes(*f_.find(e.to)))
          changed |= leads.insert(e.to).second;
    }
    for (const DrawNode& n : f_.nodes)
      if (n.is_loss) reached.insert(n.id);
    for (bool changed = true; changed;) {
      changed = false;
      for (const DrawEdge& e : f_.edges)
        if (e.differentiable && reached.count(e.to)) changed |= reached.insert(e.from).second;
    }
    for (const DrawNode& n : f_.nodes)
      if (computes(n) && leads.count(n.id) && reached.count(n.id)) has_grad_.insert(n.id);
  }

  static std::string grad_id(const std::string& forward_id) { return "grad:" + forward_id; }

  void add_seed() {
    for (const DrawNode& n : f_.nodes)
      if (n.is_loss && has_grad_.count(n.id)) {
        d_.nodes.push_back({"seed", NodeKind::kSeed, "d loss / d loss", "1"});
        DrawEdge edge{"seed", grad_id(n.id), EdgeKind::kGradient, "loss"};
        edge.shape = "[]";
        edge.value_id = m_.loss.value_or(-1);
        d_.edges.push_back(edge);
      }
  }

  void add_gradient_node(const DrawNode& f) {
    DrawNode n = f;
    n.id = grad_id(f.id);
    n.kind = NodeKind::kGradient;
    n.is_loss = false;
    n.attrs.clear();
    d_.nodes.push_back(n);
  }

  // Gradient edges from every consumer of a value to its producer, through a sum node when
  // more than one consumer sends one.
  void add_value_gradients() {
    std::map<std::pair<std::string, std::string>, std::vector<const DrawEdge*>> by_value;
    std::vector<std::pair<std::string, std::string>> order;
    for (const DrawEdge& e : f_.edges) {
      if (!e.differentiable || !has_grad_.count(e.from) || !has_grad_.count(e.to)) continue;
      auto& consumers = by_value[{e.from, e.value}];
      if (consumers.empty()) order.emplace_back(e.from, e.value);
      consumers.push_back(&e);
    }
    for (const auto& key : order) {
      const std::vector<const DrawEdge*>& consumers = by_value[key];
      std::vector<std::string> from;
      for (const DrawEdge* e : consumers) from.push_back(grad_id(e->to));
      const DrawEdge& first = *consumers.front();
      join(from, grad_id(key.first), "sum:" + key.second, first.value, first.value_id, first.shape,
           d_.find(grad_id(key.first))->cluster);
    }
  }

  void add_param_gradients() {
    for (const graph::Layer& layer : m_.graph->layers()) {
      if (layer.params.empty()) continue;
      DrawNode params = param_node(m_, layer.name, usage_.at(layer.name));
      if (!params.frozen) params.attrs.push_back({"grad", "+= over uses and micro-batches"});
      std::vector<std::string> users;
      for (const DrawNode& n : d_.nodes) {
        const auto& pl = n.param_layers;
        if (n.kind == NodeKind::kGradient &&
            std::find(pl.begin(), pl.end(), layer.name) != pl.end())
          users.push_back(n.id);
      }
      d_.nodes.push_back(params);
      if (params.frozen) {
        if (users.empty()) users = stopped_at(layer.name);
        for (const std::string& u : users)
          d_.edges.push_back({u, params.id, EdgeKind::kNoGradient, layer.name});
        continue;
      }
      join(users, params.id, "sum:param:" + layer.name, layer.name, -1, "", "");
    }
  }

  // The VJPs that would pass a gradient on to the nodes reading a frozen layer that has no
  // VJP of its own: where the gradient stops.
  std::vector<std::string> stopped_at(const std::string& layer) const {
    std::vector<std::string> out;
    for (const DrawNode& n : f_.nodes) {
      const auto& pl = n.param_layers;
      if (std::find(pl.begin(), pl.end(), layer) == pl.end()) continue;
      for (const DrawEdge& e : f_.edges)
        if (e.from == n.id && e.differentiable && has_grad_.count(e.to) &&
            std::find(out.begin(), out.end(), grad_id(e.to)) == out.end())
          out.push_back(grad_id(e.to));
    }
    return out;
  }

  // Edges from each of `from` into `to`, through a sum node named `sum_id` when there are
  // several.
  void join(const std::vector<std::string>& from, const std::string& to, const std::string& sum_id,
            const std::string& value, graph::ValueId value_id, const std::string& shape,
            const std::string& cluster) {
    const auto edge = [&](const std::string& a, const std::string& b) {
      DrawEdge e{a, b, EdgeKind::kGradient, value, value_id, shape};
      e.differentiable = true;
      d_.edges.push_back(e);
    };
    if (from.size() == 1) return edge(from.front(), to);
    DrawNode sum{sum_id, NodeKind::kSum, value, "Sum"};
    sum.attrs = {{"terms", std::to_string(from.size())}};
    sum.cluster = cluster;
    d_.nodes.push_back(sum);
    for (const std::string& f : from) edge(f, sum_id);
    edge(sum_id, to);
  }

  void keep_used_clusters() {
    std::set<std::string> used;
    for (const DrawNode& n : d_.nodes) used.insert(n.cluster);
    // A cluster is kept when it or a cluster inside it holds a node.
    for (bool changed = true; changed;) {
      changed = false;
      for (const DrawCluster& c : f_.clusters)
        if (used.count(c.id)) changed |= used.insert(c.parent).second;
    }
    for (const DrawCluster& c : f_.clusters)
      if (used.count(c.id)) d_.clusters.push_back(c);
  }

  const graph::Model& m_;
  const Drawing& f_;
  std::map<std::string, LayerUsage> usage_;
  std::set<std::string> has_grad_;
  Drawing d_;
};

}  // namespace

Drawing backward_view(const graph::Model& model, const Drawing& forward) {
  return BackwardBuilder(model, forward).build();
}

}  // namespace twinflow::viz
