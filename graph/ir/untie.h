// graph/ir/untie.h — rebuilds a graph with one shared layer split into private copies.
//
// Use k of layer L gets its own parameters "L#k.param" (k from 0, in node order); every
// other value, node and layer is rebuilt unchanged. Starting the copies from the shared
// values, the shared gradient must equal the sum of the copies' gradients — the invariant
// that catches sharing weights but not gradient buffers.
#pragma once

#include <map>

#include "graph/ir/graph.h"

namespace twinflow::graph {

struct UntiedGraph {
  Graph graph;
  std::map<ValueId, ValueId> value_map;                  // old value -> new value
  std::map<ValueId, std::vector<ValueId>> param_copies;  // shared param -> one per use
};

UntiedGraph untie_layer(const Graph& g, LayerId layer);

}  // namespace twinflow::graph
