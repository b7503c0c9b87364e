#include "graph/spec/spec.h"

namespace twinflow::graph {

const LayerSpec* ModelSpec::find_layer(std::string_view layer_name) const {
  for (const LayerSpec& layer : layers)
    if (layer.name == layer_name) return &layer;
  return nullptr;
}

}  // namespace twinflow::graph
