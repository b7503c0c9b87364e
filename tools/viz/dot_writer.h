// tools/viz/dot_writer.h — a Drawing as Graphviz DOT text.
//
// Inputs are green inverted houses, outputs blue houses, the loss a red octagon (a red box
// when it is a cluster), collapsed composites 3-D boxes, parameters cylinders, gradient sums
// circles with "+". Applications of a shared layer are filled with its colour. Labels are
// Graphviz HTML-like labels: the name in bold, the layer and op, the key attributes, "shared
// ×N" and the parameter count. Edges are labelled with the shape they carry.
//
// The text depends only on the drawing: nodes, clusters and edges come in the drawing's order,
// so the output of a spec is byte for byte reproducible (tests/viz/golden/).
#pragma once

#include <string>
#include <string_view>

#include "tools/viz/drawing.h"

namespace twinflow::viz {

std::string to_dot(const Drawing& drawing);

// A DOT string: the text in double quotes, with " and \ escaped and newlines as \n.
std::string quoted(std::string_view text);

// Text for a Graphviz HTML-like label: & < > " as entities.
std::string html_escape(std::string_view text);

}  // namespace twinflow::viz
