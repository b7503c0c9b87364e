// runtime/exec/touched_rows.h — the rows of each Embedding table that a batch's gradient reaches.
//
//   rows(W) = { x : x a value of an int32 input of a node that reads W as an Embedding table,
//               0 ≤ x < V, and x ≠ 0 when that Embedding masks zero }
// The Embedding's VJP adds into dW[x, :] for such x only (ops/embedding.h), so every other row of
// dW stays exactly zero. Every int32 input of the node counts, not only the first: an Embedding
// that also reads other indices into the same table (padded with −1) reaches their rows too.
// A table is tracked (GradRows in runtime/exec/parameter_store.h) only when it is trainable and
// every node reading it reads it as an Embedding's table; one that another op also reads (a
// Dense tied to it) has a dense gradient.
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/tape.h"
#include "graph/ir/graph.h"
#include "runtime/exec/parameter_store.h"

namespace twinflow::runtime {

template <typename T>
class TouchedRows {
 public:
  // Marks the store's row-sparse tables as tracked.
  TouchedRows(const graph::Graph& graph, ParameterStore<T>& params);

  // Adds the rows the ids bound to `tape` reach into each tracked table whose rows are known
  // (after a forward; allocates nothing once the lists have grown to a batch's size).
  void record(const autograd::Tape<T>& tape);

 private:
  struct Table {
    Parameter<T>* param = nullptr;       // the store never moves its parameters
    std::vector<graph::NodeId> readers;  // the Embedding nodes reading it
    std::vector<unsigned char> marked;   // per row, while record() runs
  };
  const graph::Graph& graph_;
  std::vector<Table> tables_;
};

extern template class TouchedRows<float>;
extern template class TouchedRows<double>;

}  // namespace twinflow::runtime
