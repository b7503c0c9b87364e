#include "tools/viz/drawing.h"

#include <algorithm>

namespace twinflow::viz {

const DrawNode* Drawing::find(std::string_view id) const {
  for (const DrawNode& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

DrawNode* Drawing::find(std::string_view id) {
  for (DrawNode& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

int Drawing::count(NodeKind kind) const {
  return static_cast<int>(
      std::count_if(nodes.begin(), nodes.end(), [&](const DrawNode& n) { return n.kind == kind; }));
}

int Drawing::count(EdgeKind kind) const {
  return static_cast<int>(
      std::count_if(edges.begin(), edges.end(), [&](const DrawEdge& e) { return e.kind == kind; }));
}

}  // namespace twinflow::viz
