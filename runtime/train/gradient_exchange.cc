#include "runtime/train/gradient_exchange.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <span>

namespace twinflow::runtime {

std::string describe(const ExchangeTraffic& t, int processes) {
  if (t.steps == 0) return "";
  const double share = t.dense_values > 0 ? 100.0 * static_cast<double>(t.values_sent) /
                                                static_cast<double>(t.dense_values)
                                          : 100.0;
  std::string text = fmt::format(
      "gradients summed over {} processes: {:.0f} values per step, {:.1f}% of the "
      "whole gradient",
      processes, static_cast<double>(t.values_sent) / static_cast<double>(t.steps), share);
  if (t.tables > 0)
    text +=
        fmt::format(" (embedding tables sent by rows in {} of {} sums)", t.sparse_tables, t.tables);
  return text;
}

template <typename T>
GradientExchange<T>::GradientExchange(const graph::Graph& graph, const autograd::Tape<T>& tape,
                                      graph::ValueId loss, ParameterStore<T>& params,
                                      Communicator& processes, int64_t bucket_elements)
    : params_(params), processes_(processes), bucket_of_(graph.values().size(), -1) {
  std::vector<bool> is_table(graph.values().size(), false);
  for (const graph::Node& node : graph.nodes())
    if (node.op->name == "Embedding")
      for (graph::ValueId v : node.inputs)
        if (graph.value(v).kind == graph::ValueKind::kParameter)
          is_table[static_cast<size_t>(v)] = true;
  for (graph::ValueId v : tape.gradient_order(loss)) {
    const Parameter<T>* p = params_.find(v);
    if (p == nullptr || !p->trainable) continue;
    const size_t index = static_cast<size_t>(p - params_.all().data());
    if (is_table[static_cast<size_t>(v)] && p->data.shape.rank() == 2) {
      tables_.push_back(index);
      continue;
    }
    if (buckets_.empty() || std::ssize(buckets_.back().buffer) >= bucket_elements)
      buckets_.emplace_back();
    Bucket& bucket = buckets_.back();
    bucket.params.push_back(index);
    bucket.buffer.resize(bucket.buffer.size() + p->grad.data.size());
    bucket_of_[static_cast<size_t>(v)] = static_cast<int64_t>(buckets_.size() - 1);
  }
  local_rows_.resize(tables_.size());
}

template <typename T>
void GradientExchange<T>::begin() {
  for (Bucket& b : buckets_) b.waiting = static_cast<int64_t>(b.params.size());
  next_bucket_ = 0;
  ++traffic_.steps;
}

template <typename T>
void GradientExchange<T>::done(graph::ValueId v) {
  const int64_t b = bucket_of_[static_cast<size_t>(v)];
  if (b >= 0) --buckets_[static_cast<size_t>(b)].waiting;
  while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].waiting == 0)
    start(buckets_[next_bucket_++]);
  // MPI moves a started sum along only inside its own calls: asking lets it.
  for (size_t k = 0; k < next_bucket_; ++k) buckets_[k].sum->ready();
}

template <typename T>
void GradientExchange<T>::start(Bucket& bucket) {
  auto out = bucket.buffer.begin();
  for (size_t i : bucket.params)
    out = std::copy(params_.all()[i].grad.data.begin(), params_.all()[i].grad.data.end(), out);
  bucket.sum = processes_.start_sum(std::span(bucket.buffer));
  traffic_.values_sent += static_cast<int64_t>(bucket.buffer.size());
  traffic_.dense_values += static_cast<int64_t>(bucket.buffer.size());
}

template <typename T>
std::vector<int64_t> GradientExchange<T>::nonzero_rows(size_t param) const {
  const ops::Tensor<T>& g = params_.all()[param].grad;
  const size_t width = static_cast<size_t>(g.shape[1]);
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < g.shape[0]; ++r) {
    const auto row = g.data.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(r) * width);
    if (std::any_of(row, row + static_cast<std::ptrdiff_t>(width), [](T x) { return x != T(0); }))
      rows.push_back(r);
  }
  return rows;
}

template <typename T>
void GradientExchange<T>::finish() {
  while (next_bucket_ < buckets_.size()) start(buckets_[next_bucket_++]);
  if (!tables_.empty()) {
    std::vector<int64_t> held(tables_.size());
    for (size_t t = 0; t < tables_.size(); ++t) {
      const GradRows& known = params_.all()[tables_[t]].grad_rows;
      if (known.known)
        local_rows_[t].assign(known.rows.begin(), known.rows.end());
      else
        local_rows_[t] = nonzero_rows(tables_[t]);
      held[t] = static_cast<int64_t>(local_rows_[t].size());
    }
    processes_.sum(std::span(held));
    for (size_t t = 0; t < tables_.size(); ++t) sum_table(t, held[t]);
  }
  for (Bucket& b : buckets_) {
    b.sum->wait();
    auto in = b.buffer.cbegin();
    for (size_t i : b.params) {
      auto& g = params_.all()[i].grad.data;
      std::copy_n(in, g.size(), g.begin());
      in += static_cast<std::ptrdiff_t>(g.size());
    }
    b.sum.reset();
  }
}

// Sums table t's gradient by rows when the rows the processes hold, with their ids, are fewer
// bytes than the table, else whole. `rows_everywhere` counts a row once per process holding it.
template <typename T>
void GradientExchange<T>::sum_table(size_t t, int64_t rows_everywhere) {
  ops::Tensor<T>& g = params_.all()[tables_[t]].grad;
  const int64_t rows = g.shape[0], width = g.shape[1];
  const int64_t by_rows = rows_everywhere * (static_cast<int64_t>(sizeof(int64_t)) +
                                             width * static_cast<int64_t>(sizeof(T)));
  const int64_t whole = rows * width * static_cast<int64_t>(sizeof(T));
  ++traffic_.tables;
  traffic_.dense_values += rows * width;
  // Known rows (the same on every process: they follow from the code path, not the data) stay
  // known: the sum's rows are the union of every process's, as one process holding the whole
  // batch would list them. So a row-sparse rule updates the same rows however many processes
  // share the batch.
  GradRows& known = params_.all()[tables_[t]].grad_rows;
  const auto union_of_rows = [&] {
    std::vector<int64_t> all = processes_.gather(std::span<const int64_t>(local_rows_[t]));
    traffic_.values_sent += static_cast<int64_t>(all.size());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  };
  if (by_rows >= whole) {
    processes_.sum(std::span(g.data));
    traffic_.values_sent += rows * width;
    if (known.known) known.rows = union_of_rows();
    return;
  }
  ++traffic_.sparse_tables;
  std::vector<int64_t> union_rows = union_of_rows();
  rows_buffer_.resize(union_rows.size() * static_cast<size_t>(width));
  const auto row_of = [&](int64_t r) {
    return g.data.begin() + static_cast<std::ptrdiff_t>(r * width);
  };
  for (size_t k = 0; k < union_rows.size(); ++k)
    std::copy_n(row_of(union_rows[k]), width,
                rows_buffer_.begin() + static_cast<std::ptrdiff_t>(k * static_cast<size_t>(width)));
  processes_.sum(std::span(rows_buffer_));
  traffic_.values_sent += static_cast<int64_t>(rows_buffer_.size());
  for (size_t k = 0; k < union_rows.size(); ++k)
    std::copy_n(rows_buffer_.begin() + static_cast<std::ptrdiff_t>(k * static_cast<size_t>(width)),
                width, row_of(union_rows[k]));
  if (known.known) known.rows = std::move(union_rows);
}

template class GradientExchange<float>;
template class GradientExchange<double>;

}  // namespace twinflow::runtime
