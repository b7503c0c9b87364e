// The gradient sum over the processes of a run (runtime/train/gradient_exchange.h), with the
// processes played by threads: whatever a process's share of the batch (none at all included),
// every process ends with the whole batch's gradient, the Embedding's table summed by rows when
// that is smaller and whole when it is not.
#include "runtime/train/gradient_exchange.h"

#include <doctest/doctest.h>

#include <barrier>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/exec/reference_models.h"
#include "tests/testing/model_data.h"

namespace twinflow::runtime {
namespace {

// Processes as threads of one test: each collective writes this thread's values into a slot,
// waits for all, and reads every slot in rank order, as an MPI collective would.
class ThreadGroup {
 public:
  explicit ThreadGroup(int size) : size_(size), slots_(static_cast<size_t>(size)), sync_(size) {}
  int size() const { return size_; }

  template <typename T>
  std::vector<std::vector<T>> exchange(int rank, std::span<const T> mine) {
    {
      std::scoped_lock lock(mutex_);
      slots_[static_cast<size_t>(rank)].assign(
          reinterpret_cast<const char*>(mine.data()),
          reinterpret_cast<const char*>(mine.data()) + mine.size_bytes());
    }
    sync_.arrive_and_wait();
    std::vector<std::vector<T>> all;
    for (const std::string& s : slots_) {
      all.emplace_back(s.size() / sizeof(T));
      std::memcpy(all.back().data(), s.data(), s.size());
    }
    sync_.arrive_and_wait();  // nobody writes the next collective's values before all have read
    return all;
  }

 private:
  int size_;
  std::vector<std::string> slots_;
  std::mutex mutex_;
  std::barrier<> sync_;
};

class ThreadProcess : public Communicator {
 public:
  ThreadProcess(ThreadGroup& group, int rank) : group_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return group_.size(); }
  void sum(std::span<double> v) override { add_up(v); }
  void sum(std::span<float> v) override { add_up(v); }
  void sum(std::span<int64_t> v) override { add_up(v); }
  std::unique_ptr<PendingSum> start_sum(std::span<double> v) override {
    ++started_;
    add_up(v);
    return single_process()->start_sum(v);
  }
  std::unique_ptr<PendingSum> start_sum(std::span<float> v) override {
    ++started_;
    add_up(v);
    return single_process()->start_sum(v);
  }
  std::vector<double> gather(std::span<const double> v) override { return concat(v); }
  std::vector<float> gather(std::span<const float> v) override { return concat(v); }
  std::vector<int64_t> gather(std::span<const int64_t> v) override { return concat(v); }
  std::string broadcast(const std::string& text, int) override { return text; }

  int started_ = 0;

 private:
  template <typename T>
  void add_up(std::span<T> v) {
    const auto all = group_.exchange<T>(rank_, v);
    for (size_t i = 0; i < v.size(); ++i) {
      T total = 0;
      for (const auto& one : all) total += one.at(i);
      v[i] = total;
    }
  }
  template <typename T>
  std::vector<T> concat(std::span<const T> v) {
    std::vector<T> out;
    for (const auto& one : group_.exchange<T>(rank_, v))
      out.insert(out.end(), one.begin(), one.end());
    return out;
  }

  ThreadGroup& group_;
  int rank_;
};

struct SharingCase {
  int64_t table_rows;  // the Embedding's vocab; the texts use ids below 10
  int64_t batch;
  bool by_rows;  // expected: the table summed by rows
  int64_t bucket_elements = GradientExchange<double>::kBucketElements;
};

TEST_CASE("every process ends with the batch's gradient, however the batch is shared") {
  // The last case makes a bucket of each dense gradient (the smallest holds 1 value): they must
  // start in order whichever completes first.
  for (const SharingCase c : {SharingCase{400, 6, true}, SharingCase{10, 6, false},
                              SharingCase{400, 2, true}, SharingCase{400, 5, true, 1}}) {
    CAPTURE(c.table_rows);
    CAPTURE(c.batch);
    const SiameseConfig config = testing::tiny_siamese(c.table_rows);
    const ReferenceModel model = cosine_siamese(config);
    const ops::IdTensor left = testing::random_ids(c.batch, config.seq_len, 10, 1);
    const ops::IdTensor right = testing::random_ids(c.batch, config.seq_len, 10, 2);
    ops::Tensor<double> label(graph::Shape{c.batch, 1});
    for (int64_t i = 0; i < c.batch; ++i)
      label.data[static_cast<size_t>(i)] = static_cast<double>(i % 2);

    ParameterStore<double> whole(*model.graph, 5);
    const auto expected = testing::parameter_gradients(
        *model.graph, whole, {{"left", left}, {"right", right}}, {{"label", label}}, model.loss);

    constexpr int kProcesses = 3;
    ThreadGroup group(kProcesses);
    std::vector<std::map<std::string, std::vector<double>>> summed(kProcesses);
    std::vector<ExchangeTraffic> traffic(kProcesses);
    std::vector<int> buckets_started(kProcesses);
    std::vector<size_t> buckets(kProcesses);
    std::vector<GradRows> table_rows(kProcesses);
    std::vector<std::thread> processes;
    for (int rank = 0; rank < kProcesses; ++rank)
      processes.emplace_back([&, rank] {
        ThreadProcess comm(group, rank);
        ParameterStore<double> params(*model.graph, 5);
        Executor<double> exec(*model.graph, params);
        GradientExchange<double> exchange(*model.graph, exec.tape(), model.loss, params, comm,
                                          c.bucket_elements);
        params.zero_grad();
        exchange.begin();
        const Share share = share_of(c.batch, rank, kProcesses);
        const auto l = testing::batch_rows(left, share.begin, share.end);
        const auto r = testing::batch_rows(right, share.begin, share.end);
        const auto y = testing::batch_rows(label, share.begin, share.end);
        if (share.end > share.begin) {
          exec.feed_ids("left", &l);
          exec.feed_ids("right", &r);
          exec.feed("label", &y);
          exec.forward(false, 1);
          exec.backward(model.loss, static_cast<double>(share.end - share.begin) / c.batch,
                        [&](graph::ValueId v) { exchange.done(v); });
        }
        exchange.finish();
        for (const auto& p : params.all())
          summed[static_cast<size_t>(rank)][p.name].assign(p.grad.data.begin(), p.grad.data.end());
        traffic[static_cast<size_t>(rank)] = exchange.traffic();
        table_rows[static_cast<size_t>(rank)] = params.find("emb.embeddings")->grad_rows;
        buckets_started[static_cast<size_t>(rank)] = comm.started_;
        buckets[static_cast<size_t>(rank)] = exchange.buckets();
      });
    for (std::thread& t : processes) t.join();

    for (int rank = 0; rank < kProcesses; ++rank) {
      CAPTURE(rank);
      for (const auto& [name, gradient] : expected) {
        CAPTURE(name);
        CHECK(testing::max_abs(gradient) > 1e-8);
        CHECK(testing::max_abs_diff(summed[static_cast<size_t>(rank)].at(name), gradient) < 1e-12);
      }
      // The rows the optimizer sees are those of the whole batch, on every process.
      CHECK(table_rows[static_cast<size_t>(rank)].known);
      CHECK(table_rows[static_cast<size_t>(rank)].rows ==
            whole.find("emb.embeddings")->grad_rows.rows);
      CHECK_FALSE(whole.find("emb.embeddings")->grad_rows.rows.empty());
      const ExchangeTraffic& t = traffic[static_cast<size_t>(rank)];
      CHECK(t.tables == 1);
      CHECK(t.sparse_tables == (c.by_rows ? 1 : 0));
      CHECK((t.values_sent < t.dense_values) == c.by_rows);
      // The dense gradients (the LSTM's and the head's, ~200 values) fill one bucket, or one
      // each; every bucket is started once per step, by every process.
      const size_t expected_buckets = c.bucket_elements == 1 ? 8 : 1;
      CHECK(buckets[static_cast<size_t>(rank)] == expected_buckets);
      CHECK(buckets_started[static_cast<size_t>(rank)] == static_cast<int>(expected_buckets));
    }
  }
}

}  // namespace
}  // namespace twinflow::runtime
