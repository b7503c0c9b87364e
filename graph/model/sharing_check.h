// graph/model/sharing_check.h — the warning for a Siamese branch that was meant to share a layer
// but got a copy: two layers with parameters, the same op and an identical configuration (every
// attribute, trainable, initializers, pretrained table), applied on parallel branches — some
// use of one and some use of the other where neither reads the other's output. Two copies in
// a chain (one feeding the other) are a deliberate stack, not a mistake, and are not reported.
#pragma once

#include <string>

#include "graph/ir/diagnostics.h"
#include "graph/ir/graph.h"
#include "graph/spec/spec.h"

namespace twinflow::graph {

// A canonical text of a layer's configuration: equal texts mean identical layers.
std::string layer_configuration(const LayerSpec& layer);

// Adds one warning per later layer that duplicates an earlier one, at the later layer's loc.
void warn_unshared_duplicates(const ModelSpec& spec, const Graph& g, Diagnostics& diags);

}  // namespace twinflow::graph
