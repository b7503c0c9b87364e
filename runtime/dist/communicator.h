// runtime/dist/ (twinflow_runtime_dist): training over several processes.
// Owns the communicator, the collective operations data-parallel training needs.
// May include: graph/ir and below.
//
// runtime/dist/communicator.h — the processes a run is spread over, and what they exchange.
//
// Every process of a run calls the same collectives in the same order; each returns the same
// result on every process. `world()` is the group this process belongs to: the processes
// mpirun started, in a build with MPI (runtime/dist/mpi/), else this process alone, for which
// every collective returns its input.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "graph/ir/diagnostics.h"

namespace twinflow::runtime {

// A sum started and not waited for (Communicator::start_sum).
class PendingSum {
 public:
  virtual ~PendingSum() = default;
  virtual void wait() = 0;
  // Whether the sum is done, without waiting. MPI moves a started sum along only inside its own
  // calls, so asking now and then, between computations, lets it progress.
  virtual bool ready() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Element-wise sums over every process, in place.
  virtual void sum(std::span<double> values) = 0;
  virtual void sum(std::span<float> values) = 0;
  virtual void sum(std::span<int64_t> values) = 0;
  // The same sum, left to run while the caller computes; the values are ready after wait().
  virtual std::unique_ptr<PendingSum> start_sum(std::span<double> values) = 0;
  virtual std::unique_ptr<PendingSum> start_sum(std::span<float> values) = 0;
  // Every process's values, concatenated in rank order (counts may differ between processes).
  virtual std::vector<double> gather(std::span<const double> values) = 0;
  virtual std::vector<float> gather(std::span<const float> values) = 0;
  virtual std::vector<int64_t> gather(std::span<const int64_t> values) = 0;
  // root's text, on every process.
  virtual std::string broadcast(const std::string& text, int root) = 0;

  bool is_root() const { return rank() == 0; }
};

// This process alone.
std::unique_ptr<Communicator> single_process();
Communicator& alone();  // one shared instance

// The processes of this run (see above). Started on first use, shut down at exit.
Communicator& world();

// A failure on another process, as that process reported it.
class RemoteFailure : public graph::RuntimeInputError {
 public:
  using graph::RuntimeInputError::RuntimeInputError;
};

// Runs `work` on every process. When it throws on any, every process throws: the process
// that failed its own exception, the others a RemoteFailure with the message of the first
// (lowest-ranked) failing process, "process K of N: ...". Without it, processes that did not
// fail would wait forever in the next collective.
void together(Communicator& comm, const std::function<void()>& work);

// The rows [begin, end) of `count` that process `rank` of `size` takes: contiguous shares in
// rank order, so concatenating them in rank order gives 0..count.
struct Share {
  int64_t begin = 0, end = 0;
};
Share share_of(int64_t count, int rank, int size);

}  // namespace twinflow::runtime
