#include "runtime/data/batches.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

#include "graph/ir/errors.h"

namespace twinflow::runtime {

namespace {

// Uniform in [0, n): draws at or above the largest multiple of n would favour small values,
// so they are drawn again.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const uint64_t limit = kMax - kMax % n;
  uint64_t x = rng();
  while (x >= limit) x = rng();
  return x % n;
}

std::seed_seq seeds_for(uint64_t seed, int64_t epoch) {
  const auto e = static_cast<uint64_t>(epoch);
  return std::seed_seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                       static_cast<uint32_t>(e), static_cast<uint32_t>(e >> 32)};
}

}  // namespace

std::vector<int64_t> shuffled_order(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::seed_seq seq = seeds_for(seed, epoch);
  std::mt19937_64 rng(seq);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[uniform_below(rng, i)]);
  return order;
}

BatchOrder::BatchOrder(int64_t rows, int64_t batch_size, bool shuffle, uint64_t seed)
    : batch_size_(batch_size), shuffle_(shuffle), seed_(seed) {
  if (batch_size < 1)
    throw graph::RuntimeInputError(
        fmt::format("batch size must be at least 1, not {}", batch_size));
  order_.resize(static_cast<size_t>(rows));
  start_epoch(0);
}

void BatchOrder::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  if (shuffle_) {
    order_ = shuffled_order(static_cast<int64_t>(order_.size()), seed_, epoch);
  } else {
    std::iota(order_.begin(), order_.end(), int64_t{0});
  }
}

int64_t BatchOrder::batches() const {
  return (static_cast<int64_t>(order_.size()) + batch_size_ - 1) / batch_size_;
}

std::span<const int64_t> BatchOrder::batch(int64_t k) const {
  if (k < 0 || k >= batches())
    throw std::out_of_range(fmt::format("batch {} of an epoch of {}", k, batches()));
  const int64_t begin = k * batch_size_;
  const int64_t end = std::min(begin + batch_size_, static_cast<int64_t>(order_.size()));
  return std::span<const int64_t>(order_).subspan(static_cast<size_t>(begin),
                                                  static_cast<size_t>(end - begin));
}

template <typename T>
const BatchColumn<T>& Batch<T>::column(std::string_view name) const {
  for (const BatchColumn<T>& c : columns)
    if (c.name == name) return c;
  throw graph::RuntimeInputError(fmt::format("the batch has no column named '{}'", name));
}

template <typename T>
void gather(const Dataset& data, std::span<const int64_t> rows, Batch<T>& batch) {
  const auto b = static_cast<int64_t>(rows.size());
  batch.rows.assign(rows.begin(), rows.end());
  batch.columns.resize(data.columns.size());
  for (size_t c = 0; c < data.columns.size(); ++c) {
    const DataColumn& from = data.columns[c];
    BatchColumn<T>& to = batch.columns[c];
    to.name = from.spec.name;
    to.kind = from.spec.kind;
    if (!from.is_text()) {
      to.values.resize(graph::Shape{b, 1});
      for (int64_t i = 0; i < b; ++i)
        to.values.data[static_cast<size_t>(i)] =
            static_cast<T>(from.values.data.at(static_cast<size_t>(rows[static_cast<size_t>(i)])));
      continue;
    }
    const int64_t length = from.spec.length;
    if (from.ids.shape != graph::Shape{data.rows(), length})
      throw std::logic_error(fmt::format("text column '{}' is not encoded", from.spec.name));
    to.ids.resize(graph::Shape{b, length});
    to.pieces_input = from.pieces_input;
    const int64_t pieces = from.pieces_input.empty() ? 0 : from.pieces.shape[2] * length;
    if (pieces) to.pieces.resize(graph::Shape{b, length, from.pieces.shape[2]});
    for (int64_t i = 0; i < b; ++i) {
      const int64_t r = rows[static_cast<size_t>(i)];
      if (r < 0 || r >= data.rows()) throw std::out_of_range(fmt::format("row {}", r));
      std::copy_n(from.ids.data.begin() + r * length, length, to.ids.data.begin() + i * length);
      std::copy_n(from.pieces.data.begin() + r * pieces, pieces,
                  to.pieces.data.begin() + i * pieces);
    }
  }
}

template <typename T>
void feed(Executor<T>& executor, const Batch<T>& batch) {
  for (const BatchColumn<T>& c : batch.columns) {
    if (c.kind == ColumnKind::kText) {
      executor.feed_ids(c.name, &c.ids);
      if (!c.pieces_input.empty()) executor.feed_ids(c.pieces_input, &c.pieces);
    } else {
      executor.feed(c.name, &c.values);
    }
  }
}

template struct Batch<float>;
template struct Batch<double>;
template void gather(const Dataset&, std::span<const int64_t>, Batch<float>&);
template void gather(const Dataset&, std::span<const int64_t>, Batch<double>&);
template void feed(Executor<float>&, const Batch<float>&);
template void feed(Executor<double>&, const Batch<double>&);

}  // namespace twinflow::runtime
