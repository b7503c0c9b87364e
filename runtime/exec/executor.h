// runtime/exec/ (twinflow_runtime_exec): running a graph.
// Owns the executor, the parameter store, initialisers, the whole-model gradient check.
// May include: autograd, ops, graph.
//
// runtime/exec/executor.h — runs a graph on batches with parameters from a ParameterStore.
//
// Gradients of a mean-over-batch loss accumulate across backward() calls until the store's
// zero_grad(). To accumulate k micro-batches into exactly the gradient of their union batch,
// call backward(loss, b_i / Σ b_j) for micro-batch i of size b_i: each micro-batch's mean
// is re-weighted by its share of the union. An Embedding table's gradient is row-sparse: backward
// also lists the rows it reaches (runtime/exec/touched_rows.h), for zero_grad and the optimizer.
#pragma once

#include <cstdint>
#include <string_view>

#include "autograd/tape.h"
#include "graph/spec/spec.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/exec/touched_rows.h"

namespace twinflow::runtime {

// kShared runs the applications of a shared layer as one call on their stacked batches
// (graph/ir/stacking.h): the same values and gradients, computed in fewer, larger calls.
enum class Stacking { kOff, kShared };
// What a spec's `train: stack_shared:` asks for.
inline Stacking stacking_of(const graph::TrainSpec& train) {
  return train.stack_shared ? Stacking::kShared : Stacking::kOff;
}

template <typename T>
class Executor {
 public:
  Executor(const graph::Graph& graph, ParameterStore<T>& params,
           Stacking stacking = Stacking::kOff);

  // Binds a batch to a graph input by name (not copied; must outlive the next forward).
  void feed(std::string_view input, const ops::Tensor<T>* t);
  void feed_ids(std::string_view input, const ops::IdTensor* ids);

  // Runs the whole graph; dropout is on when training, with masks drawn from `seed` and, per
  // batch row, its key (the row's number in the dataset; autograd/tape.h).
  void forward(bool training, uint64_t seed, std::span<const uint64_t> row_keys = {});
  // Adds scale · d(value of `loss`)/dθ into every trainable parameter's gradient; `done` hears
  // of each parameter as soon as its gradient is complete (autograd/tape.h).
  void backward(graph::ValueId loss, T scale = T(1),
                const typename autograd::Tape<T>::GradientDone& done = {});

  const ops::Tensor<T>& value(graph::ValueId v) const { return tape_.value(v); }
  const ops::Tensor<T>& value(std::string_view name) const;
  const autograd::Tape<T>& tape() const { return tape_; }

 private:
  graph::ValueId input_id(std::string_view name) const;
  const graph::Graph& graph_;
  autograd::Tape<T> tape_;
  TouchedRows<T> touched_;
};

extern template class Executor<float>;
extern template class Executor<double>;

}  // namespace twinflow::runtime
