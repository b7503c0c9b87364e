// tools/viz/viz_graph.h — the forward drawing of a built model.
//
// One node per graph input, per model output and per visible graph node. Composites — a
// Lambda, a Sequential tower, an expression loss (graph nodes carry their `scope`) and a
// Bidirectional (one fused node in the graph) — are drawn collapsed as one node unless
// expanded; an expanded composite is a boxed cluster of its nodes, and an expanded
// Bidirectional shows its inner structure: the forward LSTM, the sequence reversed in time
// (within each row's real tokens), the backward LSTM and the merge.
//
// Every application of a layer used more than once is filled with the layer's colour and
// marked "shared ×N"; the legend lists the layers with their parameter counts. With `group`,
// each layer's parameters are one node with an edge to every node that reads them.
#pragma once

#include <string>
#include <vector>

#include "graph/model/model.h"
#include "tools/viz/drawing.h"
#include "tools/viz/layer_usage.h"

namespace twinflow::viz {

struct ViewOptions {
  bool expand_all = false;
  // Composites to expand, by application name ("pred.similarity", "x1", "loss") or by layer
  // name ("tower", "bilstm": every application of it).
  std::vector<std::string> expand{};
  bool group = false;
  std::string rankdir = "TB";
};

// Throws std::invalid_argument when an --expand name matches no composite.
Drawing forward_view(const graph::Model& model, const ViewOptions& options);

// The node of a layer's parameters: each parameter's local name and shape as attributes.
DrawNode param_node(const graph::Model& model, const std::string& layer, const LayerUsage& usage);

}  // namespace twinflow::viz
