// runtime/exec/parameter_store.h — one value tensor and one gradient tensor per parameter.
//
// A layer applied at several places in a graph has its parameters here once: every node
// using them reads the same tensor and adds into the same gradient. Gradients are zeroed
// only by zero_grad(), so several backward passes (micro-batches) accumulate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "graph/ir/graph.h"
#include "ops/tensor.h"

namespace twinflow::runtime {

template <typename T>
struct Parameter {
  std::string name;  // "layer.param", the name in weight files
  graph::ValueId value = -1;
  bool trainable = true;
  ops::Tensor<T> data;
  ops::Tensor<T> grad;  // empty for frozen parameters: nothing is ever added to it
};

template <typename T>
class ParameterStore {
 public:
  // One entry per parameter of the graph, initialised by its ParamSpec from `seed`. Throws
  // graph::RuntimeInputError, before allocating, when they would not fit in memory.
  ParameterStore(const graph::Graph& graph, uint64_t seed);

  std::vector<Parameter<T>>& all() { return params_; }
  const std::vector<Parameter<T>>& all() const { return params_; }
  Parameter<T>* find(std::string_view name);
  Parameter<T>* find(graph::ValueId v);

  void zero_grad();
  int64_t count(bool trainable) const;

 private:
  std::vector<Parameter<T>> params_;
};

extern template class ParameterStore<float>;
extern template class ParameterStore<double>;

}  // namespace twinflow::runtime
