// runtime/io/weights_file.h — a ParameterStore to and from a safetensors file, by parameter name.
//
// Saving writes every parameter, frozen ones too, under its name ("emb.embeddings",
// "bilstm.forward.kernel") in the store's dtype: F32 from a float store, F64 from a double one.
// Loading matches tensors to parameters by name and converts F32 ↔ F64. What does not match
// is reported by name: parameters the file lacks (they keep their values), tensors no
// parameter wants, and shape or dtype mismatches. kStrict turns any of these into an error
// thrown before a single parameter changes; kReport loads every tensor that matches.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime/exec/parameter_store.h"
#include "runtime/io/safetensors.h"

namespace twinflow::runtime {

struct WeightsLoadReport {
  std::vector<std::string> loaded;      // parameter names
  std::vector<std::string> missing;     // parameters the file does not hold
  std::vector<std::string> unexpected;  // tensors of the file no parameter is named after
  // "head.kernel: the file has [3, 1], the model [2, 1]" (parameter first, as in all of these)
  std::vector<std::string> mismatched;
  size_t parameters = 0;  // in the store

  bool complete() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  // "missing from the file: a; not in the model: b (did you mean 'a'?); mismatched: ..."
  std::string problems() const;
  // "loaded 7 of 9 parameters; " + problems()
  std::string summary() const;
};

enum class LoadMode { kReport, kStrict };

template <typename T>
void save_weights(const std::string& path, const ParameterStore<T>& params,
                  const std::map<std::string, std::string, std::less<>>& metadata = {});

// What load_weights would report for a store of `graph`, from the graph's parameters alone:
// nothing is loaded and no store is needed. A saved model's weights are matched this way
// before its store is allocated, so a spec declaring parameters the file does not hold (an
// Embedding of a billion rows) costs nothing.
WeightsLoadReport match_weights(const SafetensorsContent& file, const graph::Graph& graph);

// `source` names the file in messages. In kStrict mode an incomplete match throws
// SafetensorsError ("<source>: " + problems()) before any parameter changes.
template <typename T>
WeightsLoadReport load_weights(const SafetensorsContent& file, ParameterStore<T>& params,
                               LoadMode mode, std::string_view source);
template <typename T>
WeightsLoadReport load_weights(const std::string& path, ParameterStore<T>& params, LoadMode mode);

extern template void save_weights(const std::string&, const ParameterStore<float>&,
                                  const std::map<std::string, std::string, std::less<>>&);
extern template void save_weights(const std::string&, const ParameterStore<double>&,
                                  const std::map<std::string, std::string, std::less<>>&);
extern template WeightsLoadReport load_weights(const SafetensorsContent&, ParameterStore<float>&,
                                               LoadMode, std::string_view);
extern template WeightsLoadReport load_weights(const SafetensorsContent&, ParameterStore<double>&,
                                               LoadMode, std::string_view);
extern template WeightsLoadReport load_weights(const std::string&, ParameterStore<float>&,
                                               LoadMode);
extern template WeightsLoadReport load_weights(const std::string&, ParameterStore<double>&,
                                               LoadMode);

}  // namespace twinflow::runtime
