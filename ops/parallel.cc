#include "ops/parallel.h"

#include <sched.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace twinflow::ops {
namespace {

std::atomic<bool> g_parallel_enabled{true};

// One helper thread that runs one task at a time for whichever caller claimed it.
class Helper {
 public:
  Helper() : thread_([this] { loop(); }) {}
  ~Helper() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;

  // Hands `task` to the helper; false (and nothing started) when another caller holds it.
  bool start(TaskRef task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (claimed_) return false;
      claimed_ = true;
      task_ = task;
      pending_ = true;
    }
    wake_.notify_all();
    return true;
  }

  // Waits for the task given to start() and releases the helper; rethrows the task's error.
  void finish() {
    std::exception_ptr error;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return !pending_; });
      error = std::exchange(error_, nullptr);
      claimed_ = false;
    }
    if (error) std::rethrow_exception(error);
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stop_ || pending_; });
      if (stop_) return;
      const TaskRef task = task_;
      lock.unlock();
      std::exception_ptr error;
      try {
        task();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      error_ = error;
      pending_ = false;
      done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  bool stop_ = false;
  bool claimed_ = false;  // a caller is between start() and finish()
  bool pending_ = false;  // the task has not finished yet
  TaskRef task_;
  std::exception_ptr error_;
  std::thread thread_;  // last: it starts running loop() once everything above exists
};

// The CPUs this process may run on: fewer than the machine's when a launcher binds it (mpirun
// binds each process to its own core), and a second thread on one core only slows it down.
bool may_use_two_cores() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0) return CPU_COUNT(&cpus) >= 2;
  return std::thread::hardware_concurrency() >= 2;
}

Helper& helper() {
  static Helper h;
  return h;
}

}  // namespace

void run_pair(TaskRef first, TaskRef second) {
  static const bool multicore = may_use_two_cores();
  if (!multicore || !g_parallel_enabled.load(std::memory_order_relaxed) ||
      !helper().start(second)) {
    first();
    second();
    return;
  }
  std::exception_ptr error;
  try {
    first();
  } catch (...) {
    error = std::current_exception();
  }
  helper().finish();  // always wait: `second` may still be using the caller's buffers
  if (error) std::rethrow_exception(error);
}

void set_parallel_enabled(bool enabled) {
  g_parallel_enabled.store(enabled, std::memory_order_relaxed);
}

bool parallel_enabled() { return g_parallel_enabled.load(std::memory_order_relaxed); }

}  // namespace twinflow::ops
