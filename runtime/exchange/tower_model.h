// runtime/exchange/tower_model.h — a saved model's tower, built, with the trained weights.
//
// Every format `twinflow export` writes starts here: the tower spec (runtime/exchange/tower.h)
// read back from its own YAML text, as a loader of the exported directory will read it, built
// into a model, and a parameter store of the saved model's dtype holding the saved weights of
// the tower's layers (same names in both).
#pragma once

#include <string>
#include <string_view>

#include "runtime/exchange/tower.h"
#include "runtime/saved/saved_model.h"

namespace twinflow::runtime {

// Throws std::logic_error when the tower spec does not build: a bug, as it was cut from a model
// that did.
graph::Model build_tower(const TowerSpec& tower);

// Sets every parameter of `to` to the one of the same name in `from`.
template <typename T>
void copy_parameters(const ParameterStore<T>& from, ParameterStore<T>& to);

// Writes the tower as a model directory: spec.yaml, vocab.txt, weights.safetensors, state.json
// (the saved model's dtype and seed). out is new, empty or holds a model of the same spec
// (runtime/saved/run_dir.h); `overwrite` accepts any directory.
template <typename T>
void write_tower_dir(const std::string& out, const SavedModel& saved, const graph::Model& tower,
                     const ParameterStore<T>& params, bool overwrite);

template <typename T, class Body>
int call_with_tower(const SavedModel& saved, std::string_view name, ParameterStore<T>& params,
                    Body& body) {
  const TowerSpec tower = tower_spec(saved.model, name);
  const graph::Model model = build_tower(tower);
  ParameterStore<T> tower_params(*model.graph, saved.state.seed);
  copy_parameters(params, tower_params);
  return body(saved, tower, model, tower_params);
}

// Calls body(saved, tower_spec, tower_model, tower_params) for the tower `name` of the model
// saved in dir, and returns what it returns.
template <class Body>
int with_tower(const std::string& dir, std::string_view name, Body&& body) {
  return with_saved_model(dir, [&](const SavedModel& saved, const ModelRoles&, auto& params) {
    return call_with_tower(saved, name, params, body);
  });
}

extern template void copy_parameters(const ParameterStore<float>&, ParameterStore<float>&);
extern template void copy_parameters(const ParameterStore<double>&, ParameterStore<double>&);
extern template void write_tower_dir(const std::string&, const SavedModel&, const graph::Model&,
                                     const ParameterStore<float>&, bool);
extern template void write_tower_dir(const std::string&, const SavedModel&, const graph::Model&,
                                     const ParameterStore<double>&, bool);

}  // namespace twinflow::runtime
