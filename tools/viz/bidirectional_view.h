// tools/viz/bidirectional_view.h — an expanded Bidirectional: the graph holds one fused node,
// the drawing shows what it computes (ops/bidirectional.h):
//
//   x ──► LSTM forward ─────────────────────────────► merge (concat | sum | mul | ave) ──► y
//   x ──► reverse time ──► LSTM backward [──► reverse time, with return_sequences] ──┘
//
// The token ids, when given, are the mask of both LSTMs and of the reversal (only each row's
// real tokens are reversed).
#pragma once

#include <functional>
#include <string>

#include "graph/model/model.h"
#include "tools/viz/drawing.h"

namespace twinflow::viz {

// Adds a cluster for `node` (inside outer.cluster) holding its inner nodes and edges; inputs
// come from source_of(value). `outer` is the node the collapsed Bidirectional would have
// been. Returns the id of the merge node, which the consumers of the output read.
std::string expand_bidirectional(Drawing& d, const graph::Model& m, const graph::Node& node,
                                 const DrawNode& outer,
                                 const std::function<std::string(graph::ValueId)>& source_of);

}  // namespace twinflow::viz
