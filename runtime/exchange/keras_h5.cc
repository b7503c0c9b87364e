#include "runtime/exchange/keras_h5.h"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "runtime/exchange/hdf5_file.h"

namespace twinflow::runtime {

namespace {

// "forward.kernel" of layer bilstm (Bidirectional) -> "bilstm/forward_lstm/lstm_cell/kernel:0".
std::string keras_weight_name(const graph::Layer& layer, const std::string& local) {
  const std::string_view op = layer.op->name;
  if (op == "LSTM") return fmt::format("{}/lstm_cell/{}:0", layer.name, local);
  if (op == "Bidirectional") {
    const size_t dot = local.find('.');
    return fmt::format("{}/{}_lstm/lstm_cell/{}:0", layer.name, local.substr(0, dot),
                       local.substr(dot + 1));
  }
  return fmt::format("{}/{}:0", layer.name, local);
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= path.size()) {
    const size_t end = std::min(path.find('/', begin), path.size());
    if (end > begin) parts.push_back(path.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

// The twinflow name of weight `weight` of Keras layer group `group`, or "" when no part of the
// path names a layer of g that owns parameters.
std::string twinflow_name(const graph::Graph& g, const std::string& group,
                          const std::string& weight) {
  std::vector<std::string> parts = split(weight);
  if (parts.empty()) return "";
  std::string kind = parts.back();
  if (const size_t colon = kind.rfind(':'); colon != std::string::npos) kind.resize(colon);
  parts.pop_back();
  parts.insert(parts.begin(), group);
  std::string layer, direction;
  for (const std::string& part : parts) {
    const std::optional<graph::LayerId> id = g.find_layer(part);
    if (layer.empty() && id && !g.layer(*id).params.empty()) layer = part;
    for (const char* d : {"forward", "backward"})
      if (part.starts_with(std::string(d) + "_")) direction = d;
  }
  if (layer.empty()) return "";
  return direction.empty() ? fmt::format("{}.{}", layer, kind)
                           : fmt::format("{}.{}.{}", layer, direction, kind);
}

template <typename T>
const Parameter<T>& parameter(const ParameterStore<T>& params, graph::ValueId v) {
  for (const Parameter<T>& p : params.all())
    if (p.value == v) return p;
  throw std::logic_error("a layer's parameter is not in the store");
}

StoredTensor stored(const Hdf5Array& a) {
  const graph::Shape shape(a.dims);
  if (a.is_double) return to_stored(std::span<const double>(a.values), shape);
  const std::vector<float> floats(a.values.begin(), a.values.end());
  return to_stored(std::span<const float>(floats), shape);
}

}  // namespace

template <typename T>
void write_keras_h5(const std::string& path, const graph::Model& model,
                    const ParameterStore<T>& params) {
  const graph::Graph& g = *model.graph;
  // Written beside the target and renamed, as every file twinflow writes.
  const std::string temporary = path + ".tmp";
  {
    const Hdf5File file = Hdf5File::create(temporary);
    std::vector<std::string> layers;
    for (const graph::Layer& layer : g.layers())
      if (!layer.params.empty()) layers.push_back(layer.name);
    file.write_strings(file.id(), "layer_names", layers);
    file.write_string(file.id(), "backend", "tensorflow");
    file.write_string(file.id(), "keras_version", "2.11.0");
    for (const graph::Layer& layer : g.layers()) {
      if (layer.params.empty()) continue;
      const Hdf5Handle group = file.create_group(file.id(), layer.name);
      std::vector<std::string> names;
      for (graph::ValueId v : layer.params) {
        const Parameter<T>& p = parameter(params, v);
        names.push_back(keras_weight_name(layer, g.value(v).param.name));
        file.write_array(group.id(), names.back(), p.data.shape.dims(),
                         std::vector<double>(p.data.data.begin(), p.data.data.end()),
                         sizeof(T) == sizeof(double));
      }
      file.write_strings(group.id(), "weight_names", names);
    }
  }
  std::filesystem::rename(temporary, path);
}

SafetensorsContent read_keras_h5(const std::string& path, const graph::Graph& g) {
  const Hdf5File file = Hdf5File::open(path);
  const bool whole_model = file.has(file.id(), "model_weights");
  const Hdf5Handle root = file.group(file.id(), whole_model ? "model_weights" : "/");
  std::vector<std::string> owners;
  for (const graph::Layer& layer : g.layers())
    if (!layer.params.empty()) owners.push_back(layer.name);
  SafetensorsContent out;
  for (const std::string& layer : file.read_strings(root.id(), "layer_names")) {
    const Hdf5Handle group = file.group(root.id(), layer);
    for (const std::string& weight : file.read_strings(group.id(), "weight_names")) {
      const std::string name = twinflow_name(g, layer, weight);
      if (name.empty())
        throw Hdf5Error(fmt::format(
            "{}: weight '{}/{}' belongs to no layer of the model (its layers with weights: {}); "
            "name the Keras layers as the spec's layers",
            path, layer, weight, fmt::join(owners, ", ")));
      if (!out.tensors.emplace(name, stored(file.read_array(group.id(), weight))).second)
        throw Hdf5Error(fmt::format("{}: two weights map to parameter '{}', the second '{}/{}'",
                                    path, name, layer, weight));
    }
  }
  return out;
}

template void write_keras_h5(const std::string&, const graph::Model&, const ParameterStore<float>&);
template void write_keras_h5(const std::string&, const graph::Model&,
                             const ParameterStore<double>&);

}  // namespace twinflow::runtime
