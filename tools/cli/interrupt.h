// tools/cli/interrupt.h — Ctrl-C and `kill` during training.
//
// While a StopOnSignal lives, the first SIGINT or SIGTERM only raises a flag: the trainer sees it
// after its current step, saves a checkpoint and stops (runtime::TrainObserver::stop_requested).
// The handler also restores the default action, so a second signal ends the process at once;
// the checkpoint before stays intact, since every checkpoint is written as one.
#pragma once

#include <csignal>

namespace twinflow::cli {

class StopOnSignal {
 public:
  StopOnSignal();   // installs the handlers
  ~StopOnSignal();  // restores the ones before
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  bool requested() const { return received() != 0; }
  // The signal received (SIGINT, SIGTERM), 0 when none.
  static int received();

 private:
  struct sigaction old_interrupt_ {};
  struct sigaction old_terminate_ {};
};

}  // namespace twinflow::cli
