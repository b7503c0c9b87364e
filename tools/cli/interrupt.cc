#include "tools/cli/interrupt.h"

#include <unistd.h>

namespace twinflow::cli {

namespace {

volatile std::sig_atomic_t signal_received = 0;

// Only async-signal-safe calls here: a flag and write(2).
extern "C" void on_stop_signal(int signal) {
  signal_received = signal;
  constexpr char kNote[] =
      "\ntwinflow: stopping after this step to save the run; a second signal quits at once\n";
  [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, kNote, sizeof(kNote) - 1);
}

}  // namespace

StopOnSignal::StopOnSignal() {
  signal_received = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // the second signal takes the default action: exit
  sigaction(SIGINT, &action, &old_interrupt_);
  sigaction(SIGTERM, &action, &old_terminate_);
}

StopOnSignal::~StopOnSignal() {
  sigaction(SIGINT, &old_interrupt_, nullptr);
  sigaction(SIGTERM, &old_terminate_, nullptr);
}

int StopOnSignal::received() { return signal_received; }

}  // namespace twinflow::cli
