#include "runtime/exchange/tower_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "runtime/io/weights_file.h"
#include "runtime/saved/run_dir.h"

namespace twinflow::runtime {

graph::Model build_tower(const TowerSpec& tower) {
  graph::Diagnostics diags;
  const std::string label = fmt::format("<tower of {}>", tower.input);
  std::optional<graph::ModelSpec> spec =
      graph::parse_spec(graph::emit_spec(tower.spec), label, diags);
  std::optional<graph::Model> model;
  if (spec) model = graph::build_model(*spec, diags);
  if (!model)
    throw std::logic_error("the tower spec does not build:\n" + diags.to_string() +
                           graph::emit_spec(tower.spec));
  return std::move(*model);
}

template <typename T>
void copy_parameters(const ParameterStore<T>& from, ParameterStore<T>& to) {
  for (Parameter<T>& p : to.all()) {
    const auto it = std::find_if(from.all().begin(), from.all().end(),
                                 [&](const Parameter<T>& q) { return q.name == p.name; });
    if (it == from.all().end() || it->data.shape != p.data.shape)
      throw std::logic_error("the tower's parameter " + p.name + " is not the model's");
    p.data.data = it->data.data;
  }
}

template <typename T>
void write_tower_dir(const std::string& out, const SavedModel& saved, const graph::Model& tower,
                     const ParameterStore<T>& params, bool overwrite) {
  prepare_out_dir(out, tower, overwrite);
  std::filesystem::create_directories(out);
  write_spec(out, tower.spec);
  saved.vocab.write(dir_file(out, "vocab.txt"));
  save_weights(dir_file(out, "weights.safetensors"), params);
  TrainState state;
  state.seed = saved.state.seed;
  state.dtype = saved.state.dtype;
  state.epoch = saved.state.epoch;
  state.step = saved.state.step;
  write_state(out, state);
}

template void copy_parameters(const ParameterStore<float>&, ParameterStore<float>&);
template void copy_parameters(const ParameterStore<double>&, ParameterStore<double>&);
template void write_tower_dir(const std::string&, const SavedModel&, const graph::Model&,
                              const ParameterStore<float>&, bool);
template void write_tower_dir(const std::string&, const SavedModel&, const graph::Model&,
                              const ParameterStore<double>&, bool);

}  // namespace twinflow::runtime
