// runtime/exec/parameter_store.h — one value tensor and one gradient tensor per parameter.
//
// A layer applied at several places in a graph has its parameters here once: every node
// using them reads the same tensor and adds into the same gradient. Gradients are zeroed
// only by zero_grad(), so several backward passes (micro-batches) accumulate.
//
// Row-sparse gradients: a batch adds into the rows of an Embedding table [V, E] its ids name,
// and no other. The executor keeps those rows (runtime/exec/touched_rows.h) in GradRows, so that
// zero_grad, clipping and the optimizers that allow it visit only them; every row of the
// gradient not listed is then exactly zero.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "graph/ir/graph.h"
#include "ops/tensor.h"

namespace twinflow::runtime {

// The rows of a rank-2 gradient that may be non-zero. `known`: every row not in `rows` (sorted,
// unique) is zero; otherwise any element may be. Only a `tracked` parameter is ever known: one
// whose gradient nothing but the executor's Embedding ops writes. Whoever adds into such a
// gradient by other means calls forget(); the next zero_grad() then clears it whole.
struct GradRows {
  bool tracked = false;
  bool known = false;
  std::vector<int64_t> rows;
  void forget() { known = false; }
};

template <typename T>
struct Parameter {
  std::string name;  // "layer.param", the name in weight files
  graph::ValueId value = -1;
  bool trainable = true;
  ops::Tensor<T> data;
  ops::Tensor<T> grad;  // empty for frozen parameters: nothing is ever added to it
  GradRows grad_rows;
};

// Past a fifth of a table's rows, one pass over the whole table beats the scattered runs of rows:
// twinflow_bench's sgd step (20000 rows of 100, one core) took 0.4× the dense time with 9 % of the
// rows, 1.2× with 32 %.
inline constexpr int64_t kRowsShare = 5;

enum class Visit {
  kFastest,   // the known rows, or the whole tensor when that is faster (a zero adds nothing)
  kRowsOnly,  // the known rows whatever their number (a rule defined on them: lazy_adam)
};

// Calls f(begin, count) for each run of elements of p.grad that may be non-zero, in increasing
// order: the runs of consecutive known rows, or the whole tensor (see Visit).
template <typename T, typename F>
void for_each_grad_range(const Parameter<T>& p, F&& f, Visit visit = Visit::kFastest) {
  if (!p.grad_rows.known ||
      (visit == Visit::kFastest && std::ssize(p.grad_rows.rows) * kRowsShare > p.grad.shape[0])) {
    if (p.grad.size() > 0) f(int64_t{0}, p.grad.size());
    return;
  }
  const std::vector<int64_t>& rows = p.grad_rows.rows;
  const int64_t width = p.grad.shape[1];
  for (size_t k = 0; k < rows.size();) {
    size_t end = k + 1;
    while (end < rows.size() && rows[end] == rows[end - 1] + 1) ++end;
    f(rows[k] * width, static_cast<int64_t>(end - k) * width);
    k = end;
  }
}

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

  // Zeros every gradient (only the known rows of a row-sparse one); a tracked gradient is then
  // known to have no non-zero row.
  void zero_grad();
  int64_t count(bool trainable) const;

 private:
  std::vector<Parameter<T>> params_;
};

extern template class ParameterStore<float>;
extern template class ParameterStore<double>;

}  // namespace twinflow::runtime
