// runtime/saved/saved_model.h — a saved model directory loaded in the dtype it was trained in and
// handed to a body: what eval, embed, similar and the drawing's statistics share.
#pragma once

#include <string>

#include "runtime/exec/parameter_store.h"
#include "runtime/saved/model_dir.h"
#include "runtime/saved/model_roles.h"

namespace twinflow::runtime {

// Calls body(saved, roles, params) with a ParameterStore<float> or <double> holding the
// directory's weights (SavedModel::weights), and returns what it returns. Throws ModelDirError, and
// SafetensorsError when the weights do not match the spec (before any parameter is allocated).
template <class Body>
int with_saved_model(const std::string& dir, Body&& body) {
  SavedModel saved = load_model_dir(dir);
  const ModelRoles roles = model_roles(saved.model);
  const graph::Graph& graph = *saved.model.graph;
  if (saved.state.dtype == "float64") {
    ParameterStore<double> params =
        load_dir_parameters<double>(dir, saved.weights, graph, saved.state.seed);
    return body(saved, roles, params);
  }
  ParameterStore<float> params =
      load_dir_parameters<float>(dir, saved.weights, graph, saved.state.seed);
  return body(saved, roles, params);
}

}  // namespace twinflow::runtime
