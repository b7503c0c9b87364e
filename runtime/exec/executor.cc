#include "runtime/exec/executor.h"

#include <fmt/format.h>

namespace twinflow::runtime {

template <typename T>
Executor<T>::Executor(const graph::Graph& graph, ParameterStore<T>& params, Stacking stacking)
    : graph_(graph),
      tape_(graph, stacking == Stacking::kShared ? graph::plan_stacking(graph)
                                                 : graph::unstacked_plan(graph)),
      touched_(graph, params) {
  for (Parameter<T>& p : params.all()) {
    tape_.bind(p.value, &p.data);
    // Frozen parameters get no gradient buffer: the tape never asks their VJPs for one.
    if (p.trainable) tape_.bind_grad(p.value, &p.grad);
  }
}

template <typename T>
graph::ValueId Executor<T>::input_id(std::string_view name) const {
  const auto v = graph_.find_value(name);
  if (!v || graph_.value(*v).kind != graph::ValueKind::kInput)
    throw graph::RuntimeInputError(fmt::format("the graph has no input named '{}'", name));
  return *v;
}

template <typename T>
void Executor<T>::feed(std::string_view input, const ops::Tensor<T>* t) {
  tape_.bind(input_id(input), t);
}

template <typename T>
void Executor<T>::feed_ids(std::string_view input, const ops::IdTensor* ids) {
  tape_.bind_ids(input_id(input), ids);
}

template <typename T>
void Executor<T>::forward(bool training, uint64_t seed, std::span<const uint64_t> row_keys) {
  tape_.forward(training, seed, row_keys);
}

template <typename T>
void Executor<T>::backward(graph::ValueId loss, T scale,
                           const typename autograd::Tape<T>::GradientDone& done) {
  touched_.record(tape_);
  tape_.backward(loss, scale, done);
}

template <typename T>
const ops::Tensor<T>& Executor<T>::value(std::string_view name) const {
  const auto v = graph_.find_value(name);
  if (!v) throw graph::GraphError(fmt::format("the graph has no value named '{}'", name));
  return tape_.value(*v);
}

template class Executor<float>;
template class Executor<double>;

}  // namespace twinflow::runtime
