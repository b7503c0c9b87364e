#include "runtime/io/weights_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

#include "graph/ir/suggest.h"

namespace twinflow::runtime {

namespace {

std::string list(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// An unexpected name with a hint at the missing parameter it probably was meant to be.
std::vector<std::string> with_hints(const std::vector<std::string>& unexpected,
                                    const std::vector<std::string>& missing) {
  std::vector<std::string> out;
  for (const std::string& name : unexpected)
    out.push_back(name + graph::did_you_mean(name, missing));
  return out;
}

bool is_float(StoredDType d) { return d == StoredDType::kF32 || d == StoredDType::kF64; }

// A parameter as a file is matched against it: a store's or a graph's.
struct Declared {
  const std::string& name;
  const graph::Shape& shape;
};

// The report (nothing loaded yet) and, per declared parameter, the tensor that loads into it
// or null.
std::pair<WeightsLoadReport, std::vector<const StoredTensor*>> match(
    const SafetensorsContent& file, const std::vector<Declared>& params) {
  WeightsLoadReport report;
  report.parameters = params.size();
  std::vector<const StoredTensor*> matches;
  std::set<std::string_view> names;
  for (const Declared& p : params) {
    names.insert(p.name);
    const auto it = file.tensors.find(p.name);
    const StoredTensor* found = nullptr;
    if (it == file.tensors.end()) {
      report.missing.push_back(p.name);
    } else if (!is_float(it->second.dtype)) {
      report.mismatched.push_back(fmt::format("{}: the file holds {} values, the model floats",
                                              p.name, to_string(it->second.dtype)));
    } else if (it->second.shape != p.shape) {
      report.mismatched.push_back(fmt::format("{}: the file has {}, the model {}", p.name,
                                              it->second.shape.to_string(), p.shape.to_string()));
    } else {
      found = &it->second;
    }
    matches.push_back(found);
  }
  for (const auto& entry : file.tensors)
    if (!names.count(entry.first)) report.unexpected.push_back(entry.first);
  return {std::move(report), std::move(matches)};
}

}  // namespace

std::string WeightsLoadReport::problems() const {
  std::vector<std::string> parts;
  if (!missing.empty()) parts.push_back("missing from the file: " + list(missing));
  if (!unexpected.empty())
    parts.push_back("not in the model: " + list(with_hints(unexpected, missing)));
  if (!mismatched.empty()) parts.push_back("mismatched: " + list(mismatched));
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string WeightsLoadReport::summary() const {
  const std::string out = fmt::format("loaded {} of {} parameters", loaded.size(), parameters);
  return complete() ? out : out + "; " + problems();
}

template <typename T>
void save_weights(const std::string& path, const ParameterStore<T>& params,
                  const std::map<std::string, std::string, std::less<>>& metadata) {
  SafetensorsContent content;
  content.metadata = metadata;
  for (const Parameter<T>& p : params.all()) content.tensors.emplace(p.name, to_stored(p.data));
  write_safetensors(path, content);
}

WeightsLoadReport match_weights(const SafetensorsContent& file, const graph::Graph& graph) {
  std::vector<Declared> params;
  for (graph::ValueId v : graph.parameters())
    params.push_back({graph.value(v).name, graph.value(v).shape});
  return match(file, params).first;
}

template <typename T>
WeightsLoadReport load_weights(const SafetensorsContent& file, ParameterStore<T>& params,
                               LoadMode mode, std::string_view source) {
  std::vector<Declared> declared;
  for (const Parameter<T>& p : params.all()) declared.push_back({p.name, p.data.shape});
  auto [report, matches] = match(file, declared);
  if (mode == LoadMode::kStrict && !report.complete())
    throw SafetensorsError(fmt::format("{}: {}", source, report.problems()));
  for (size_t i = 0; i < matches.size(); ++i) {
    if (!matches[i]) continue;
    Parameter<T>& p = params.all()[i];
    // Copied into the existing buffer: an executor may hold its address.
    const std::vector<T> values =
        stored_values<T>(*matches[i], fmt::format("{}: tensor '{}'", source, p.name));
    std::copy(values.begin(), values.end(), p.data.data.begin());
    report.loaded.push_back(p.name);
  }
  return report;
}

template <typename T>
WeightsLoadReport load_weights(const std::string& path, ParameterStore<T>& params, LoadMode mode) {
  return load_weights(read_safetensors(path), params, mode, path);
}

template void save_weights(const std::string&, const ParameterStore<float>&,
                           const std::map<std::string, std::string, std::less<>>&);
template void save_weights(const std::string&, const ParameterStore<double>&,
                           const std::map<std::string, std::string, std::less<>>&);
template WeightsLoadReport load_weights(const SafetensorsContent&, ParameterStore<float>&, LoadMode,
                                        std::string_view);
template WeightsLoadReport load_weights(const SafetensorsContent&, ParameterStore<double>&,
                                        LoadMode, std::string_view);
template WeightsLoadReport load_weights(const std::string&, ParameterStore<float>&, LoadMode);
template WeightsLoadReport load_weights(const std::string&, ParameterStore<double>&, LoadMode);

}  // namespace twinflow::runtime
