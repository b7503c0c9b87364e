// runtime/train/gradient_exchange.h — sums the trainable parameters' gradients over the
// processes of a run while backward is still computing them.
//
// Dense gradients travel in buckets of about kBucketElements values, filled in the order backward
// completes them (autograd::Tape::gradient_order). A bucket's sum starts, without waiting
// (Communicator::start_sum), as soon as its last gradient is complete, and runs while backward
// computes the layers below it: in a Siamese network the head's and the LSTM's gradients are on
// their way while the Embedding's backward runs.
//
// An Embedding's table is row-sparse: only rows some text of the batch holds have a non-zero
// gradient. Its rows are summed last: the processes first add up how many non-zero rows they
// hold; when sending those rows and their ids costs fewer bytes than the whole table, the ids are
// gathered and only the rows any process holds are summed, else the whole table is. A row that is
// zero on every process is zero in the sum either way, so both give the same gradient. A process's
// rows are those its batch used (GradRows, runtime/exec/parameter_store.h), or, when they are not
// known, its non-zero rows. Known rows stay known through the sum, as the union over the processes
// (gathered even when the whole table is summed): sgd and adagrad then update those rows only, and
// lazy_adam updates the rows one process holding the whole batch would, whatever the process
// count. Frozen parameters have no gradient and are never sent.
//
// Every process calls begin(), then done(v) for each gradient backward announces (none when it
// ran no backward: a batch smaller than the processes), then finish(): the sums are then started
// in the same order everywhere, as MPI requires of collectives.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograd/tape.h"
#include "runtime/dist/communicator.h"
#include "runtime/exec/parameter_store.h"

namespace twinflow::runtime {

// What was sent over a run, for the closing line under mpirun.
struct ExchangeTraffic {
  int64_t steps = 0;
  int64_t values_sent = 0;   // gradient values summed (and row ids gathered), over the steps
  int64_t dense_values = 0;  // what summing every trainable gradient whole would have sent
  int64_t sparse_tables = 0, tables = 0;  // table sums done by rows, of all table sums
};

std::string describe(const ExchangeTraffic& traffic, int processes);

template <typename T>
class GradientExchange {
 public:
  // About 256 KB of float32: small enough that a network's upper layers make a bucket of their
  // own and are summed during the backward of the layers below, large enough that a bucket's
  // fixed cost (a collective's latency, some microseconds) stays small against its transfer.
  static constexpr int64_t kBucketElements = int64_t{1} << 16;

  GradientExchange(const graph::Graph& graph, const autograd::Tape<T>& tape, graph::ValueId loss,
                   ParameterStore<T>& params, Communicator& processes,
                   int64_t bucket_elements = kBucketElements);
  GradientExchange(const GradientExchange&) = delete;
  GradientExchange& operator=(const GradientExchange&) = delete;

  void begin();
  // The gradient of parameter value v is complete on this process.
  void done(graph::ValueId v);
  // Starts the buckets not yet started, sums the tables and waits for every sum: each trainable
  // gradient is then the sum over the processes.
  void finish();

  const ExchangeTraffic& traffic() const { return traffic_; }
  size_t buckets() const { return buckets_.size(); }

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into the store, in completion order
    std::vector<T> buffer;
    int64_t waiting = 0;  // gradients of this step not yet complete
    std::unique_ptr<PendingSum> sum;
  };
  void start(Bucket& bucket);
  void sum_table(size_t param, int64_t rows_everywhere);
  std::vector<int64_t> nonzero_rows(size_t param) const;

  ParameterStore<T>& params_;
  Communicator& processes_;
  std::vector<Bucket> buckets_;
  std::vector<size_t> tables_;      // trainable Embedding tables, by index into the store
  std::vector<int64_t> bucket_of_;  // by parameter value: its bucket, or -1
  size_t next_bucket_ = 0;          // buckets start in order
  std::vector<std::vector<int64_t>> local_rows_;  // per table, this step's non-zero rows
  std::vector<T> rows_buffer_;
  ExchangeTraffic traffic_;
};

extern template class GradientExchange<float>;
extern template class GradientExchange<double>;

}  // namespace twinflow::runtime
