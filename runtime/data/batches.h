// runtime/data/batches.h — a Dataset cut into batches, in an order a seed fixes.
//
// An epoch has ceil(N / batch_size) batches of batch_size rows; the last holds the rest and is
// used, not dropped (a small validation file would otherwise lose rows). Without shuffling the
// rows come in file order. With shuffling, epoch e visits a permutation that depends only on
// (seed, e): Fisher–Yates driven by std::mt19937_64 seeded through std::seed_seq, with our own
// unbiased bounded draws, because std::shuffle and std::uniform_int_distribution differ
// between standard libraries while the generator and seed_seq are fixed by the standard. So a
// run repeats on any platform, and a resumed run needs only the epoch and batch number.
//
// A Batch keeps its buffers between calls to gather, so a training loop allocates only while
// the first batches grow them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ops/tensor.h"
#include "runtime/data/dataset.h"
#include "runtime/exec/executor.h"

namespace twinflow::runtime {

class BatchOrder {
 public:
  // Throws graph::RuntimeInputError when batch_size < 1. Starts at epoch 0.
  BatchOrder(int64_t rows, int64_t batch_size, bool shuffle, uint64_t seed);

  void start_epoch(int64_t epoch);
  int64_t epoch() const { return epoch_; }
  int64_t batches() const;  // per epoch
  // The dataset rows of batch k (from 0) of the current epoch.
  std::span<const int64_t> batch(int64_t k) const;
  const std::vector<int64_t>& order() const { return order_; }

 private:
  int64_t batch_size_;
  bool shuffle_;
  uint64_t seed_;
  int64_t epoch_ = 0;
  std::vector<int64_t> order_;
};

// The rows 0..n-1 in the order of epoch `epoch` under `seed` (see above).
std::vector<int64_t> shuffled_order(int64_t n, uint64_t seed, int64_t epoch);

template <typename T>
struct BatchColumn {
  std::string name;  // the model input it feeds
  ColumnKind kind = ColumnKind::kText;
  ops::IdTensor ids;     // kText: [B, length]
  ops::IdTensor pieces;  // kText with subwords: [B, length, slots], fed to pieces_input
  std::string pieces_input;
  ops::Tensor<T> values;  // kLabel01, kReal: [B, 1]
};

template <typename T>
struct Batch {
  std::vector<BatchColumn<T>> columns;  // in the dataset's column order
  std::vector<int64_t> rows;            // the dataset row of each batch row

  int64_t size() const { return static_cast<int64_t>(rows.size()); }
  // Throws graph::RuntimeInputError when absent.
  const BatchColumn<T>& column(std::string_view name) const;
};

// Copies the given rows of data into batch. Text columns must be encoded (Dataset::encode).
template <typename T>
void gather(const Dataset& data, std::span<const int64_t> rows, Batch<T>& batch);

// Binds every column of batch to the model input of the same name; the batch must outlive
// the next forward pass.
template <typename T>
void feed(Executor<T>& executor, const Batch<T>& batch);

}  // namespace twinflow::runtime
