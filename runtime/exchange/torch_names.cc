#include "runtime/exchange/torch_names.h"

#include <fmt/format.h>

#include <optional>

namespace twinflow::runtime {

namespace {

// The values of t as doubles (exact for F32 and F64) and back in t's own dtype.
std::vector<double> values(const StoredTensor& t, std::string_view what) {
  return stored_values<double>(t, what);
}
StoredTensor like(const StoredTensor& t, const std::vector<double>& v, graph::Shape shape) {
  if (t.dtype == StoredDType::kF64) return to_stored(std::span<const double>(v), shape);
  const std::vector<float> f(v.begin(), v.end());
  return to_stored(std::span<const float>(f), shape);
}

// A matrix [rows, cols] transposed.
StoredTensor transposed(const StoredTensor& t, std::string_view what) {
  if (t.shape.rank() != 2)
    throw SafetensorsError(
        fmt::format("{}: a matrix was expected, found {}", what, t.shape.to_string()));
  const int64_t rows = t.shape[0], cols = t.shape[1];
  const std::vector<double> v = values(t, what);
  std::vector<double> out(v.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[static_cast<size_t>(c * rows + r)] = v[static_cast<size_t>(r * cols + c)];
  return like(t, out, graph::Shape({cols, rows}));
}

// "forward.kernel" -> "weight_ih_l0"; "backward.bias" -> "bias_ih_l0_reverse".
std::string lstm_torch_name(const std::string& local, bool hidden_half = false) {
  std::string kind = local, suffix = "_l0";
  if (local.starts_with("forward.")) kind = local.substr(8);
  if (local.starts_with("backward.")) {
    kind = local.substr(9);
    suffix = "_l0_reverse";
  }
  if (kind == "kernel") return "weight_ih" + suffix;
  if (kind == "recurrent_kernel") return "weight_hh" + suffix;
  return (hidden_half ? "bias_hh" : "bias_ih") + suffix;
}

std::string_view op_of(const graph::Graph& g, std::string_view layer) {
  const std::optional<graph::LayerId> id = g.find_layer(layer);
  if (!id || g.layer(*id).params.empty()) return {};
  return g.layer(*id).op->name;
}

}  // namespace

template <typename T>
SafetensorsContent torch_weights(const graph::Model& model, const ParameterStore<T>& params) {
  const graph::Graph& g = *model.graph;
  SafetensorsContent out;
  for (const Parameter<T>& p : params.all()) {
    const graph::Value& value = g.value(p.value);
    const graph::Layer& layer = g.layer(value.layer);
    const std::string& local = value.param.name;
    const std::string_view op = layer.op->name;
    StoredTensor t = to_stored(p.data);
    if (op == "LSTM" || op == "Bidirectional") {
      const std::string name = layer.name + "." + lstm_torch_name(local);
      if (local.ends_with("bias")) {
        out.tensors[layer.name + "." + lstm_torch_name(local, true)] =
            like(t, std::vector<double>(p.data.data.size(), 0.0), p.data.shape);
        out.tensors[name] = std::move(t);
      } else {
        out.tensors[name] = transposed(t, name);
      }
    } else if (op == "Dense" && local == "kernel") {
      out.tensors[layer.name + ".weight"] = transposed(t, p.name);
    } else {
      out.tensors[layer.name + "." + (local == "embeddings" ? std::string("weight") : local)] =
          std::move(t);
    }
  }
  return out;
}

SafetensorsContent from_torch_names(const SafetensorsContent& torch, const graph::Graph& g,
                                    std::string_view file) {
  std::vector<std::string> owners;
  for (const graph::Layer& layer : g.layers())
    if (!layer.params.empty()) owners.push_back(layer.name);
  SafetensorsContent out;
  for (const auto& [name, t] : torch.tensors) {
    const size_t dot = name.rfind('.');
    const std::string module = dot == std::string::npos ? "" : name.substr(0, dot);
    const std::string param = dot == std::string::npos ? name : name.substr(dot + 1);
    const std::string layer = module.substr(module.rfind('.') + 1);
    const std::string_view op = op_of(g, layer);
    const std::string what = fmt::format("{}: tensor '{}'", file, name);
    const auto unmapped = [&](const std::string& why) {
      return SafetensorsError(fmt::format("{} {}; the model's layers with weights: {}", what, why,
                                          fmt::join(owners, ", ")));
    };
    if (op.empty()) throw unmapped("names no layer of the model");
    if (op == "LSTM" || op == "Bidirectional") {
      const bool reverse = param.ends_with("_l0_reverse");
      if (!param.ends_with("_l0") && !reverse)
        throw unmapped("is not of the first layer of an nn.LSTM (_l0), the one twinflow's holds");
      if (reverse && op == "LSTM")
        throw unmapped("is a reverse direction, but the layer is an LSTM");
      const std::string direction = op == "LSTM" ? ""
                                    : reverse    ? std::string("backward.")
                                                 : std::string("forward.");
      const std::string kind = param.substr(0, param.find("_l0"));
      const std::string target = layer + "." + direction;
      if (kind == "weight_ih") {
        out.tensors[target + "kernel"] = transposed(t, what);
      } else if (kind == "weight_hh") {
        out.tensors[target + "recurrent_kernel"] = transposed(t, what);
      } else if (kind == "bias_ih") {
        const std::string other = module + "." + "bias_hh" + param.substr(7);
        const auto hh = torch.tensors.find(other);
        if (hh == torch.tensors.end())
          throw SafetensorsError(
              fmt::format("{} has no partner '{}': twinflow's bias is their sum", what, other));
        std::vector<double> sum = values(t, what);
        const std::vector<double> add = values(hh->second, other);
        if (add.size() != sum.size())
          throw SafetensorsError(fmt::format("{} and '{}' differ in size", what, other));
        for (size_t i = 0; i < sum.size(); ++i)
          if (add[i] != 0.0) sum[i] += add[i];
        out.tensors[target + "bias"] = like(t, sum, t.shape);
      } else if (kind != "bias_hh") {
        throw unmapped("is no parameter of an nn.LSTM");
      } else if (!torch.tensors.count(module + ".bias_ih" + param.substr(7))) {
        throw SafetensorsError(
            fmt::format("{} has no partner bias_ih: twinflow's bias is their sum", what));
      }
    } else if (op == "Dense" && param == "weight") {
      out.tensors[layer + ".kernel"] = transposed(t, what);
    } else if (op == "Embedding" && param == "weight") {
      out.tensors[layer + ".embeddings"] = t;
    } else {
      out.tensors[layer + "." + param] = t;  // a Dense bias, or reported unknown by the loader
    }
  }
  return out;
}

template SafetensorsContent torch_weights(const graph::Model&, const ParameterStore<float>&);
template SafetensorsContent torch_weights(const graph::Model&, const ParameterStore<double>&);

}  // namespace twinflow::runtime
