// graph/spec/parse_parts.h — the sections of a spec below the top level, each read by its own
// file: layers (graph/spec/parse_layers.cc), loss and train (graph/spec/parse_train.cc).
// parse_spec (graph/spec/parse.cc) reads the rest and calls these.
#pragma once

#include "graph/spec/spec.h"
#include "graph/yaml/reader.h"

namespace twinflow::graph {

// `layers:` — name -> a layer map; appends to spec.layers in file order.
void read_layers(const Field& section, ModelSpec& spec, Diagnostics& diags);
// `loss:` — a map with `op:`.
void read_loss(const Field& section, const SourceLoc& key_loc, ModelSpec& spec, Diagnostics& diags);
// `train:` — a map of training defaults.
void read_train(const Field& section, ModelSpec& spec, Diagnostics& diags);

}  // namespace twinflow::graph
