// tools/viz/labels.h — what a drawing writes on nodes and edges: tensor shapes with the batch
// axis as B and the time axis as T, and the few attributes of a node worth reading at a glance
// (units, merge mode, slice range, a Lambda's expression).
#pragma once

#include <string>
#include <vector>

#include "graph/ir/graph.h"
#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "tools/viz/drawing.h"

namespace twinflow::viz {

// "[B, T=30, 100]": the batch axis is B; axis 1 is the time axis T of token ids [B, T] and of
// sequences [B, T, E].
std::string shape_label(const graph::Value& value);

// The name a value is written with in the spec ("pred" for the last node of a Lambda applied
// as "pred: similarity(h1, h2)"), else its graph name.
std::string value_name(const graph::Model& model, graph::ValueId v);

// A node's key attributes; a constant operand becomes a formula ("1 − x", "max(x, 0)").
std::vector<Attr> node_attrs(const graph::Graph& g, const graph::Node& node);

// A Lambda's expression(s), a Sequential's layers, as written in the spec.
std::vector<Attr> composite_attrs(const graph::LayerSpec& layer);

// Splits text at spaces into lines of about `width` characters.
std::vector<std::string> wrap(const std::string& text, size_t width);

}  // namespace twinflow::viz
