#include "runtime/dist/communicator.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>

namespace twinflow::runtime {

namespace {

class DoneSum : public PendingSum {
 public:
  void wait() override {}
  bool ready() override { return true; }
};

class SingleProcess : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(std::span<double>) override {}
  void sum(std::span<float>) override {}
  void sum(std::span<int64_t>) override {}
  std::unique_ptr<PendingSum> start_sum(std::span<double>) override {
    return std::make_unique<DoneSum>();
  }
  std::unique_ptr<PendingSum> start_sum(std::span<float>) override {
    return std::make_unique<DoneSum>();
  }
  std::vector<double> gather(std::span<const double> v) override { return {v.begin(), v.end()}; }
  std::vector<float> gather(std::span<const float> v) override { return {v.begin(), v.end()}; }
  std::vector<int64_t> gather(std::span<const int64_t> v) override { return {v.begin(), v.end()}; }
  std::string broadcast(const std::string& text, int) override { return text; }
};

}  // namespace

std::unique_ptr<Communicator> single_process() { return std::make_unique<SingleProcess>(); }

Communicator& alone() {
  static SingleProcess instance;
  return instance;
}

void together(Communicator& comm, const std::function<void()>& work) {
  if (comm.size() == 1) return work();
  std::exception_ptr failure;
  std::string message;
  try {
    work();
  } catch (const std::exception& e) {
    failure = std::current_exception();
    message = e.what();
  }
  const int64_t own = failure ? comm.rank() : comm.size();
  const std::vector<int64_t> ranks = comm.gather(std::span(&own, 1));
  const int64_t first = *std::min_element(ranks.begin(), ranks.end());
  if (first == comm.size()) return;
  message = comm.broadcast(message, static_cast<int>(first));
  if (failure) std::rethrow_exception(failure);
  throw RemoteFailure(fmt::format("process {} of {}: {}", first, comm.size(), message));
}

Share share_of(int64_t count, int rank, int size) {
  return {count * rank / size, count * (rank + 1) / size};
}

}  // namespace twinflow::runtime
