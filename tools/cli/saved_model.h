// tools/cli/saved_model.h — what eval, embed and similar share: a saved model directory
// loaded in the dtype it was trained in, handed to the command's body.
#pragma once

#include <string>

#include "runtime/model_dir.h"
#include "runtime/model_roles.h"
#include "runtime/parameter_store.h"

namespace twinflow::cli {

// Calls body(saved, roles, params) with a ParameterStore<float> or <double> holding the
// directory's weights.safetensors, and returns what it returns. Throws ModelDirError.
template <class Body>
int with_saved_model(const std::string& dir, Body&& body) {
  runtime::SavedModel saved = runtime::load_model_dir(dir);
  const runtime::ModelRoles roles = runtime::model_roles(saved.model);
  if (saved.state.dtype == "float64") {
    runtime::ParameterStore<double> params(*saved.model.graph, saved.state.seed);
    runtime::load_dir_weights(dir, "weights.safetensors", params);
    return body(saved, roles, params);
  }
  runtime::ParameterStore<float> params(*saved.model.graph, saved.state.seed);
  runtime::load_dir_weights(dir, "weights.safetensors", params);
  return body(saved, roles, params);
}

}  // namespace twinflow::cli
