#include "runtime/dist/mpi/mpi_communicator.h"

#include <mpi.h>

#include <numeric>
#include <vector>

namespace twinflow::runtime {

namespace {

template <typename T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<double>() {
  return MPI_DOUBLE;
}
template <>
MPI_Datatype mpi_type<float>() {
  return MPI_FLOAT;
}
template <>
MPI_Datatype mpi_type<int64_t>() {
  return MPI_INT64_T;
}

class MpiSum : public PendingSum {
 public:
  MPI_Request request = MPI_REQUEST_NULL;
  ~MpiSum() override { wait(); }
  void wait() override {
    if (request != MPI_REQUEST_NULL) MPI_Wait(&request, MPI_STATUS_IGNORE);
  }
  bool ready() override {
    int done = 1;
    if (request != MPI_REQUEST_NULL) MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    return done != 0;
  }
};

// Errors in MPI calls end the run (MPI's default handler, MPI_ERRORS_ARE_FATAL): they mean a
// broken launch or network, not bad input, and every process stops with mpirun's report.
class MpiWorld : public Communicator {
 public:
  MpiWorld() {
    int provided = 0;
    // Only the thread that trains calls MPI; the kernels' own threads never do.
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiWorld() override { MPI_Finalize(); }
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(std::span<double> v) override { sum_in_place(v); }
  void sum(std::span<float> v) override { sum_in_place(v); }
  void sum(std::span<int64_t> v) override { sum_in_place(v); }
  std::unique_ptr<PendingSum> start_sum(std::span<double> v) override { return start(v); }
  std::unique_ptr<PendingSum> start_sum(std::span<float> v) override { return start(v); }
  std::vector<double> gather(std::span<const double> v) override { return gather_all(v); }
  std::vector<float> gather(std::span<const float> v) override { return gather_all(v); }
  std::vector<int64_t> gather(std::span<const int64_t> v) override { return gather_all(v); }

  std::string broadcast(const std::string& text, int root) override {
    int64_t length = static_cast<int64_t>(text.size());
    MPI_Bcast(&length, 1, MPI_INT64_T, root, MPI_COMM_WORLD);
    std::string out = rank_ == root ? text : std::string(static_cast<size_t>(length), '\0');
    MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, root, MPI_COMM_WORLD);
    return out;
  }

 private:
  template <typename T>
  void sum_in_place(std::span<T> v) {
    MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), mpi_type<T>(), MPI_SUM,
                  MPI_COMM_WORLD);
  }

  template <typename T>
  std::unique_ptr<PendingSum> start(std::span<T> v) {
    auto pending = std::make_unique<MpiSum>();
    MPI_Iallreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), mpi_type<T>(), MPI_SUM,
                   MPI_COMM_WORLD, &pending->request);
    return pending;
  }

  template <typename T>
  std::vector<T> gather_all(std::span<const T> v) {
    const int own = static_cast<int>(v.size());
    std::vector<int> counts(static_cast<size_t>(size_)), offsets(static_cast<size_t>(size_));
    MPI_Allgather(&own, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
    std::exclusive_scan(counts.begin(), counts.end(), offsets.begin(), 0);
    std::vector<T> all(static_cast<size_t>(offsets.back() + counts.back()));
    MPI_Allgatherv(v.data(), own, mpi_type<T>(), all.data(), counts.data(), offsets.data(),
                   mpi_type<T>(), MPI_COMM_WORLD);
    return all;
  }

  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> mpi_world() { return std::make_unique<MpiWorld>(); }

}  // namespace twinflow::runtime
