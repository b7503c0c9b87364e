#include "runtime/exec/parameter_store.h"

#include <algorithm>
#include <random>

#include "runtime/exec/initializers.h"
#include "runtime/exec/memory_check.h"

namespace twinflow::runtime {

template <typename T>
ParameterStore<T>::ParameterStore(const graph::Graph& graph, uint64_t seed) {
  require_memory_for(graph, static_cast<int64_t>(sizeof(T)));
  std::mt19937_64 rng(seed);
  for (graph::ValueId v : graph.parameters()) {
    const graph::Value& value = graph.value(v);
    Parameter<T> p;
    p.name = value.name;
    p.value = v;
    p.trainable = value.trainable;
    p.data = ops::Tensor<T>(value.shape);
    initialize(value.param.init, p.data, rng);
    if (p.trainable) p.grad = ops::Tensor<T>(value.shape);
    params_.push_back(std::move(p));
  }
}

template <typename T>
Parameter<T>* ParameterStore<T>::find(std::string_view name) {
  for (Parameter<T>& p : params_)
    if (p.name == name) return &p;
  return nullptr;
}

template <typename T>
Parameter<T>* ParameterStore<T>::find(graph::ValueId v) {
  for (Parameter<T>& p : params_)
    if (p.value == v) return &p;
  return nullptr;
}

template <typename T>
void ParameterStore<T>::zero_grad() {
  for (Parameter<T>& p : params_) {
    T* g = p.grad.data.data();
    for_each_grad_range(p, [g](int64_t begin, int64_t n) { std::fill_n(g + begin, n, T(0)); });
    p.grad_rows.rows.clear();
    p.grad_rows.known = p.grad_rows.tracked;
  }
}

template <typename T>
int64_t ParameterStore<T>::count(bool trainable) const {
  int64_t n = 0;
  for (const Parameter<T>& p : params_)
    if (p.trainable == trainable) n += p.data.size();
  return n;
}

template class ParameterStore<float>;
template class ParameterStore<double>;

}  // namespace twinflow::runtime
