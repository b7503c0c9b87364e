#include "tools/viz/viz_details.h"

#include <set>

namespace twinflow::viz {

namespace {

using nlohmann::json;

json value_list(const Drawing& d, const std::string& id, bool incoming) {
  json out = json::array();
  std::set<std::string> seen;
  for (const DrawEdge& e : d.edges) {
    if ((incoming ? e.to : e.from) != id || e.value.empty()) continue;
    if (!seen.insert(e.value).second) continue;
    out.push_back({{"name", e.value}, {"shape", e.shape}});
  }
  return out;
}

}  // namespace

json viz_details(const Drawing& drawing) {
  json nodes = json::object();
  for (const DrawNode& n : drawing.nodes) {
    json attrs = json::object();
    for (const Attr& a : n.attrs) attrs[a.key] = a.value;
    if (!n.layer.empty()) attrs["layer"] = n.layer;
    json node = {{"name", n.name},
                 {"op", n.op},
                 {"attrs", attrs},
                 {"inputs", value_list(drawing, n.id, true)},
                 {"outputs", value_list(drawing, n.id, false)},
                 {"params", n.params},
                 {"shared", n.shared > 1 ? n.shared : 1}};
    if (!n.tooltip.empty()) node["stats"] = n.tooltip;
    nodes[n.id] = node;
  }
  return {{"nodes", nodes}};
}

}  // namespace twinflow::viz
