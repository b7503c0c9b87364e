// ops/parallel.h — runs two independent pieces of kernel work on two cores.
//
// run_pair(first, second) runs `second` on one persistent helper thread (started on first use,
// joined at exit) while the calling thread runs `first`, and returns when both are done; an
// exception from either is rethrown on the caller. A thread per call would cost more than a
// short LSTM direction takes.
//
// The helper serves one caller at a time. When it is busy (another thread is using it, or
// run_pair is called from inside a task) or parallelism is switched off, run_pair runs
// `first` then `second` on the caller. The two tasks must not write to the same memory, so the
// result never depends on which of the two schedules ran.
#pragma once

#include <type_traits>
#include <utility>

namespace twinflow::ops {

// A non-owning reference to a callable (no allocation, unlike std::function).
struct TaskRef {
  void (*call)(void*) = nullptr;
  void* object = nullptr;
  void operator()() const { call(object); }
};

template <class F>
TaskRef task_ref(F& f) {
  return TaskRef{[](void* o) { (*static_cast<F*>(o))(); }, static_cast<void*>(&f)};
}

void run_pair(TaskRef first, TaskRef second);

template <class F, class G>
void run_pair(F&& first, G&& second) {
  run_pair(task_ref(first), task_ref(second));
}

// On by default. Off makes every run_pair sequential (for comparisons and debugging).
void set_parallel_enabled(bool enabled);
bool parallel_enabled();

}  // namespace twinflow::ops
