// tests/viz/viz_testing.h — the shipped models built for the drawing tests, and counts over a
// drawing's DOT text as Graphviz parses it.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "graph/model/model.h"
#include "tests/cli/run_cli.h"
#include "tools/cli/load_model.h"
#include "tools/viz/dot_writer.h"
#include "tools/viz/graphviz_render.h"
#include "tools/viz/viz_graph.h"

namespace twinflow::testing {

// Builds models/<name>.yaml (ops are registered by tests/main.cc).
inline graph::Model shipped_model(const std::string& name) {
  std::ostringstream err;
  std::optional<graph::Model> model = cli::load_model(source_path("models/" + name + ".yaml"), err);
  REQUIRE_MESSAGE(model.has_value(), err.str());
  return std::move(*model);
}

// Nodes of the parsed DOT, without the legend.
inline int drawn_nodes(const viz::ParsedDot& dot) {
  return static_cast<int>(dot.nodes.size()) - static_cast<int>(dot.nodes.count("legend"));
}

inline int edges_into(const viz::ParsedDot& dot, const std::string& head) {
  return static_cast<int>(std::count_if(dot.edges.begin(), dot.edges.end(),
                                        [&](const viz::ParsedEdge& e) { return e.head == head; }));
}

inline int edges_from(const viz::ParsedDot& dot, const std::string& tail) {
  return static_cast<int>(std::count_if(dot.edges.begin(), dot.edges.end(),
                                        [&](const viz::ParsedEdge& e) { return e.tail == tail; }));
}

inline std::string attr(const viz::ParsedDot& dot, const std::string& node,
                        const std::string& key) {
  const auto n = dot.nodes.find(node);
  REQUIRE_MESSAGE(n != dot.nodes.end(), "no node " << node);
  const auto a = n->second.find(key);
  return a == n->second.end() ? "" : a->second;
}

inline int count_nodes_with_prefix(const viz::ParsedDot& dot, const std::string& prefix) {
  return static_cast<int>(std::count_if(dot.nodes.begin(), dot.nodes.end(), [&](const auto& n) {
    return n.first.rfind(prefix, 0) == 0;
  }));
}

}  // namespace twinflow::testing
