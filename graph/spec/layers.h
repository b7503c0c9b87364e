// graph/spec/layers.h — the ops a spec can declare as layers: their YAML attributes (with
// types, defaults and ranges) and how many values a call passes them.
//
// Each op's attributes are listed once, in one function over a visitor; parsing (YAML ->
// the op's attribute struct, with every error recorded) and emitting (the struct -> YAML
// with every default written out) both walk that list, so the two cannot drift apart.
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
  bool reads_mask = false;  // LSTM, Bidirectional, ReverseSequence: ids as an extra input
  bool has_params = false;  // owns parameters (Dense, Embedding, LSTM, Bidirectional)
};

// Every op a spec can declare under `layers:` (Lambda and Sequential included), by name.
const LayerKind* find_layer_kind(std::string_view op);
std::vector<std::string> layer_kind_names();

// The attribute keys an op takes besides `op:` (for "did you mean" and documentation).
std::vector<std::string> layer_attribute_keys(std::string_view op);

}  // namespace twinflow::graph
