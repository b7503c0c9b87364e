#include "runtime/exec/touched_rows.h"

#include <any>

#include "graph/ir/attrs.h"
#include "ops/embedding.h"

namespace twinflow::runtime {

namespace {

// The Embedding nodes reading parameter v as their table, or none when any node reads it
// otherwise.
std::vector<graph::NodeId> embedding_readers(const graph::Graph& graph, graph::ValueId v) {
  std::vector<graph::NodeId> readers;
  for (graph::NodeId n : graph.consumers(v)) {
    const graph::Node& node = graph.node(n);
    if (node.op->name != ops::Embedding::kName || node.inputs.back() != v) return {};
    for (size_t i = 0; i + 1 < node.inputs.size(); ++i)
      if (node.inputs[i] == v) return {};
    readers.push_back(n);
  }
  return readers;
}

}  // namespace

template <typename T>
TouchedRows<T>::TouchedRows(const graph::Graph& graph, ParameterStore<T>& params) : graph_(graph) {
  for (Parameter<T>& p : params.all()) {
    if (!p.trainable || p.data.shape.rank() != 2) continue;
    std::vector<graph::NodeId> readers = embedding_readers(graph, p.value);
    if (readers.empty()) continue;
    p.grad_rows.tracked = true;
    // Room for every row, so that no later batch, however many rows it uses, allocates.
    p.grad_rows.rows.reserve(static_cast<size_t>(p.data.shape[0]));
    tables_.push_back({&p, std::move(readers),
                       std::vector<unsigned char>(static_cast<size_t>(p.data.shape[0]), 0)});
  }
}

template <typename T>
void TouchedRows<T>::record(const autograd::Tape<T>& tape) {
  for (Table& table : tables_) {
    GradRows& rows = table.param->grad_rows;
    if (!rows.known) continue;
    const int64_t vocab = table.param->data.shape[0];
    for (int64_t r : rows.rows) table.marked[static_cast<size_t>(r)] = 1;
    for (graph::NodeId n : table.readers) {
      const graph::Node& node = graph_.node(n);
      const bool mask_zero = std::any_cast<const graph::EmbeddingAttrs&>(node.attrs).mask_zero;
      for (graph::ValueId v : node.inputs) {
        if (graph_.value(v).dtype != graph::DType::kInt32) continue;
        for (int32_t x : tape.ids(v).data)
          if (x >= 0 && x < vocab && !(mask_zero && x == 0))
            table.marked[static_cast<size_t>(x)] = 1;
      }
    }
    // A pass over V flags (V bytes) lists the rows in order without sorting them.
    rows.rows.clear();
    for (int64_t r = 0; r < vocab; ++r)
      if (table.marked[static_cast<size_t>(r)]) {
        table.marked[static_cast<size_t>(r)] = 0;
        rows.rows.push_back(r);
      }
  }
}

template class TouchedRows<float>;
template class TouchedRows<double>;

}  // namespace twinflow::runtime
