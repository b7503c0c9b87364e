#include "graph/ir/stacking.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <queue>

namespace twinflow::graph {

namespace {

// What a node's data inputs hold (its layer's parameters left out).
std::vector<ValueInfo> data_inputs(const Graph& g, NodeId n) {
  const Node& node = g.node(n);
  std::vector<ValueInfo> infos;
  for (size_t i = 0; i < g.data_input_count(n); ++i) {
    const Value& v = g.value(node.inputs[i]);
    infos.push_back({v.shape, v.dtype});
  }
  return infos;
}

std::string shapes_of(const std::vector<ValueInfo>& infos) {
  std::vector<std::string> shapes;
  for (const ValueInfo& info : infos) shapes.push_back(info.shape.to_string());
  return fmt::format("{}", fmt::join(shapes, ", "));
}

// Whether node `later` reads, through any path, the output of node `earlier`.
bool depends_on(const Graph& g, NodeId later, NodeId earlier) {
  if (later <= earlier) return false;  // insertion order is topological
  std::vector<bool> seen(g.nodes().size(), false);
  std::vector<NodeId> stack{later};
  while (!stack.empty()) {
    const NodeId n = stack.back();
    stack.pop_back();
    for (ValueId in : g.node(n).inputs) {
      const NodeId p = g.value(in).producer;
      if (g.value(in).kind != ValueKind::kNodeOutput || p < earlier) continue;
      if (p == earlier) return true;
      if (!seen[static_cast<size_t>(p)]) {
        seen[static_cast<size_t>(p)] = true;
        stack.push_back(p);
      }
    }
  }
  return false;
}

std::string dependency_reason(const Graph& g, NodeId n, NodeId other) {
  if (depends_on(g, n, other))
    return fmt::format("it reads the output of '{}'", g.node(other).name);
  return fmt::format("'{}' reads its output", g.node(other).name);
}

// Why node n cannot join `group` (empty: it can).
std::string conflict(const Graph& g, NodeId n, const std::vector<NodeId>& group) {
  const std::vector<ValueInfo> mine = data_inputs(g, n), theirs = data_inputs(g, group.front());
  if (mine != theirs)
    return fmt::format("its inputs are {}, those of '{}' are {}", shapes_of(mine),
                       g.node(group.front()).name, shapes_of(theirs));
  for (NodeId m : group)
    if (depends_on(g, n, m) || depends_on(g, m, n)) return dependency_reason(g, n, m);
  return {};
}

struct Candidates {
  std::vector<StackGroup> groups;
  std::vector<std::pair<LayerId, UnstackedUse>> alone;
};

void group_layer_uses(const Graph& g, LayerId l, Candidates& out) {
  const Layer& layer = g.layer(l);
  std::vector<NodeId> rest = layer.uses;
  std::sort(rest.begin(), rest.end());
  if (!layer.op->rows_independent) {
    for (NodeId n : rest)
      out.alone.push_back({l, {n, fmt::format("{} may mix the rows of a batch", layer.op->name)}});
    return;
  }
  const auto without_batch_axis = [&](NodeId n) {
    const std::vector<ValueInfo> infos = data_inputs(g, n);
    return std::any_of(infos.begin(), infos.end(),
                       [](const ValueInfo& info) { return info.shape.rank() == 0; });
  };
  std::erase_if(rest, [&](NodeId n) {
    if (!without_batch_axis(n)) return false;
    out.alone.push_back({l, {n, "an input has no batch axis"}});
    return true;
  });
  while (!rest.empty()) {
    std::vector<NodeId> group{rest.front()}, left;
    for (size_t i = 1; i < rest.size(); ++i)
      (conflict(g, rest[i], group).empty() ? group : left).push_back(rest[i]);
    if (group.size() >= 2) {
      out.groups.push_back({l, group});
    } else {
      // Alone against every other use: say why against the first one.
      const NodeId n = group.front();
      std::string why;
      for (NodeId other : layer.uses)
        if (other != n && why.empty()) why = conflict(g, n, {other});
      out.alone.push_back({l, {n, why.empty() ? "no other application can join it" : why}});
    }
    rest = std::move(left);
  }
}

// Orders groups and single nodes so that each comes after everything it reads, earliest
// graph position first. Groups that cannot be placed (they wait on each other through the
// rest of the graph) are returned in `stuck`, and the schedule is then incomplete.
std::vector<RunStep> schedule(const Graph& g, const std::vector<StackGroup>& groups,
                              std::vector<int>& stuck) {
  const size_t n_nodes = g.nodes().size(), n_groups = groups.size();
  std::vector<int> group_of(n_nodes, -1);
  for (size_t k = 0; k < n_groups; ++k)
    for (NodeId n : groups[k].nodes) group_of[static_cast<size_t>(n)] = static_cast<int>(k);
  // Vertex k < n_groups is group k; vertex n_groups + n is node n, unless n is in a group.
  const auto vertex = [&](NodeId n) {
    const int k = group_of[static_cast<size_t>(n)];
    return k >= 0 ? static_cast<size_t>(k) : n_groups + static_cast<size_t>(n);
  };
  const size_t n_vertices = n_groups + n_nodes;
  std::vector<int> waiting(n_vertices, 0);
  std::vector<std::vector<size_t>> next(n_vertices);
  std::vector<NodeId> first(n_vertices, -1);
  for (size_t k = 0; k < n_groups; ++k) first[k] = groups[k].nodes.front();
  for (size_t n = 0; n < n_nodes; ++n) {
    const size_t to = vertex(static_cast<NodeId>(n));
    if (to >= n_groups) first[to] = static_cast<NodeId>(n);
    for (ValueId in : g.nodes()[n].inputs) {
      if (g.value(in).kind != ValueKind::kNodeOutput) continue;
      const size_t from = vertex(g.value(in).producer);
      if (from == to) continue;
      next[from].push_back(to);
      ++waiting[to];
    }
  }
  using Entry = std::pair<NodeId, size_t>;  // (first node, vertex): earliest first
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> ready;
  for (size_t v = 0; v < n_vertices; ++v)
    if (first[v] >= 0 && waiting[v] == 0) ready.push({first[v], v});
  std::vector<RunStep> steps;
  std::vector<bool> placed(n_vertices, false);
  while (!ready.empty()) {
    const size_t v = ready.top().second;
    ready.pop();
    placed[v] = true;
    steps.push_back(v < n_groups ? RunStep{-1, static_cast<int>(v)}
                                 : RunStep{static_cast<NodeId>(v - n_groups), -1});
    for (size_t to : next[v])
      if (--waiting[to] == 0) ready.push({first[to], to});
  }
  for (size_t k = 0; k < n_groups; ++k)
    if (!placed[k]) stuck.push_back(static_cast<int>(k));
  return steps;
}

}  // namespace

StackingPlan unstacked_plan(const Graph& g) {
  StackingPlan plan;
  for (size_t n = 0; n < g.nodes().size(); ++n)
    plan.schedule.push_back({static_cast<NodeId>(n), -1});
  return plan;
}

StackingPlan plan_stacking(const Graph& g) {
  Candidates c;
  for (size_t l = 0; l < g.layers().size(); ++l)
    if (g.layers()[l].uses.size() >= 2) group_layer_uses(g, static_cast<LayerId>(l), c);

  StackingPlan plan;
  for (;;) {
    std::vector<int> stuck;
    plan.schedule = schedule(g, c.groups, stuck);
    if (stuck.empty()) break;
    // Undo the last group that could not be placed; the others may fit without it.
    const auto last = c.groups.begin() + stuck.back();
    for (NodeId n : last->nodes)
      c.alone.push_back(
          {last->layer, {n, "stacked too, it would wait on another group that waits on it"}});
    c.groups.erase(last);
  }
  plan.groups = std::move(c.groups);

  for (size_t l = 0; l < g.layers().size(); ++l) {
    if (g.layers()[l].uses.size() < 2) continue;
    StackingPlan::LayerNote note{static_cast<LayerId>(l), {}, {}};
    for (size_t k = 0; k < plan.groups.size(); ++k)
      if (plan.groups[k].layer == static_cast<LayerId>(l))
        note.groups.push_back(static_cast<int>(k));
    for (const auto& [layer, use] : c.alone)
      if (layer == static_cast<LayerId>(l)) note.unstacked.push_back(use);
    std::sort(note.unstacked.begin(), note.unstacked.end(),
              [](const UnstackedUse& a, const UnstackedUse& b) { return a.node < b.node; });
    plan.notes.push_back(std::move(note));
  }
  return plan;
}

std::string stacking_report(const Graph& g, const StackingPlan& plan) {
  std::string out;
  for (const StackingPlan::LayerNote& note : plan.notes) {
    const Layer& layer = g.layer(note.layer);
    for (int k : note.groups) {
      std::vector<std::string> names;
      for (NodeId n : plan.groups[static_cast<size_t>(k)].nodes) names.push_back(g.node(n).name);
      out += fmt::format("  {} ({}): {} as one call\n", layer.name, layer.op->name,
                         fmt::join(names, " + "));
    }
    for (const UnstackedUse& use : note.unstacked)
      out += fmt::format("  {} ({}): {} on its own: {}\n", layer.name, layer.op->name,
                         g.node(use.node).name, use.reason);
  }
  return out;
}

}  // namespace twinflow::graph
