// graph/spec/layers.h — the ops a spec can declare as layers, and how many values a call
// passes each. A table with no dependencies: the attributes of each op are listed in
// graph/spec/fields.h, and the keys those lists name are collected in graph/spec/layer_keys.h.
#pragma once

#include <any>
#include <string>
#include <string_view>
#include <vector>

namespace twinflow::graph {

struct LayerKind {
  std::string_view op;  // the spelling in YAML `op:` and in the op registry
  int min_args = 1;     // values a call passes (a mask is extra and implicit)
  int max_args = 1;
  bool reads_mask = false;  // LSTM, Bidirectional, ReverseSequence, the poolings: ids as an
                            // extra input
  bool has_params = false;  // owns parameters (Dense, Embedding, LSTM, Bidirectional)
};

// Every op a spec can declare under `layers:` (Lambda and Sequential included), by name.
const LayerKind* find_layer_kind(std::string_view op);
std::vector<std::string> layer_kind_names();

}  // namespace twinflow::graph
