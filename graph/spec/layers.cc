#include "graph/spec/layers.h"

#include <algorithm>
#include <array>

namespace twinflow::graph {

namespace {

constexpr LayerKind unary(std::string_view op) { return {op, 1, 1, false, false}; }
constexpr LayerKind binary(std::string_view op) { return {op, 2, 2, false, false}; }

// The docs/spec.md table of layers. Op names are the op registry's; Lambda and Sequential
// are composites the graph builder expands.
constexpr std::array kLayerKinds = {
    LayerKind{"Embedding", 1, 1, false, true},
    LayerKind{"Dense", 1, 1, false, true},
    LayerKind{"LSTM", 1, 1, true, true},
    LayerKind{"Bidirectional", 1, 1, true, true},
    // The builder checks a call against the Lambda's own `args`.
    LayerKind{"Lambda", 0, 99, false, false},
    // Has parameters when its layers do.
    LayerKind{"Sequential", 1, 1, false, true},
    LayerKind{"Concatenate", 2, 16, false, false},
    unary("Slice"),
    LayerKind{"ReverseSequence", 1, 1, true, false},
    unary("ReduceSum"),
    unary("ReduceMean"),
    unary("ReduceMax"),
    LayerKind{"GlobalAveragePooling1D", 1, 1, true, false},
    LayerKind{"GlobalMaxPooling1D", 1, 1, true, false},
    binary("Dot"),
    binary("Cosine"),
    unary("L2Norm"),
    binary("Add"),
    binary("Sub"),
    binary("Mul"),
    binary("Div"),
    binary("Maximum"),
    binary("Minimum"),
    unary("Neg"),
    unary("Exp"),
    unary("Log"),
    unary("Sqrt"),
    unary("Square"),
    unary("Abs"),
    unary("Tanh"),
    unary("Sigmoid"),
    unary("Relu"),
};

}  // namespace

const LayerKind* find_layer_kind(std::string_view op) {
  for (const LayerKind& kind : kLayerKinds)
    if (kind.op == op) return &kind;
  return nullptr;
}

std::vector<std::string> layer_kind_names() {
  std::vector<std::string> names;
  for (const LayerKind& kind : kLayerKinds) names.emplace_back(kind.op);
  return names;
}

}  // namespace twinflow::graph
