// tools/viz/graphviz_render.h — DOT text laid out and rendered by Graphviz's C library
// (libgvc, libcgraph) in this process: no shell, no `dot` program.
//
// Graphviz reports problems through a callback, not exceptions; these functions collect its
// messages and throw GraphvizError with them. Graphviz keeps global state and is not
// thread-safe: call these from one thread at a time.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace twinflow::viz {

class GraphvizError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Lays `dot` out with a Graphviz layout engine and renders it: format is "svg" or "png" (any
// Graphviz output format). The engine is "dot" for the model drawings; "nop2" (neato -n2)
// keeps every node at its `pos` and draws edges as straight lines, for charts laid out by hand
// (tools/viz/curves.h). Returns the bytes.
std::string render(std::string_view dot, std::string_view format, std::string_view engine = "dot");

// What Graphviz read from DOT text: for tests and for checking a drawing before writing it.
struct ParsedEdge {
  std::string tail;
  std::string head;
  std::map<std::string, std::string> attrs;
};
struct ParsedDot {
  std::map<std::string, std::map<std::string, std::string>> nodes;  // id -> attributes
  std::vector<ParsedEdge> edges;
  std::vector<std::string> clusters;  // names of subgraphs "cluster_*", nested ones too
};

// Throws GraphvizError when the text does not parse.
ParsedDot parse_dot(std::string_view dot);

}  // namespace twinflow::viz
