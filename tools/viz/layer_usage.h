// tools/viz/layer_usage.h — how often each layer of a spec is applied, how many parameters it
// owns, and the colour every application of a shared layer is drawn in.
//
// A Sequential counts as applied once per call, and so does each layer it holds; its
// parameters are those of its distinct layers. Layers used more than once get colours from a
// fixed palette in the spec's order, so the same spec always gets the same colours.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "graph/model/model.h"

namespace twinflow::viz {

struct LayerUsage {
  std::string op;
  int uses = 0;
  int64_t params = 0;
  bool trainable = true;
  std::string fill;  // "" when used once
};

std::map<std::string, LayerUsage> layer_usage(const graph::Model& model);

int64_t total_params(const graph::Graph& g, bool trainable);

}  // namespace twinflow::viz
