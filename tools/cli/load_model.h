// tools/cli/load_model.h — reads a spec and builds its graph, printing every diagnostic.
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "graph/model/model.h"

namespace twinflow::cli {

// Prints errors and warnings to `err` ("file:line:column: error: ..."), then a count line when
// there were errors. `adjust` may change the parsed spec before it is built (gradcheck
// shrinks it). Returns nothing when the spec has errors.
std::optional<graph::Model> load_model(const std::string& path, std::ostream& err,
                                       const std::function<void(graph::ModelSpec&)>& adjust = {});

// What load_model prints: every diagnostic, then "PATH: N errors" when there were errors.
std::string diagnostics_text(const graph::Diagnostics& diags, const std::string& path);

// The same, printing nothing: the model, if the spec has no errors, and every diagnostic.
struct LoadedModel {
  std::optional<graph::Model> model;
  graph::Diagnostics diags;
};
LoadedModel load_model_quietly(const std::string& path,
                               const std::function<void(graph::ModelSpec&)>& adjust = {});

}  // namespace twinflow::cli
