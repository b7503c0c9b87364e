// graph/spec/layer_keys.h — the attribute keys each layer op and loss takes, read off the key lists
// of graph/spec/fields.h, for "did you mean" and for keys written in the wrong map.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace twinflow::graph {

// The attribute keys an op takes besides `op:`, in the order its fields list them; empty for
// an op that is not a layer kind (graph/spec/layers.h).
std::vector<std::string> layer_attribute_keys(std::string_view op);

// The keys a loss of op takes besides `op:` (its input roles first); empty for an unknown op.
std::vector<std::string> loss_attribute_keys(std::string_view op);

}  // namespace twinflow::graph
