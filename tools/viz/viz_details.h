// tools/viz/viz_details.h — the per-node details the HTML viewer shows on click
// (tools/viz/html_page.h):
//   {"nodes": {"<DOT node id>": {"name", "op", "attrs": {key: value}, "inputs": [{"name",
//    "shape"}], "outputs": [{"name", "shape"}], "params": <int>, "shared": <uses>}}}
// inputs and outputs are the values on the node's incoming and outgoing edges; statistics
// (--stats) come as "stats" lines.
#pragma once

#include <nlohmann/json.hpp>

#include "tools/viz/drawing.h"

namespace twinflow::viz {

nlohmann::json viz_details(const Drawing& drawing);

}  // namespace twinflow::viz
