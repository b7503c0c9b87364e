// tools/cli/progress.h — training progress on the terminal, or plain lines in a log.
//
// On a terminal one line is redrawn in place (at most ten times a second):
//   epoch 2/5 [=========>          ] 120/188  4,350 samples/s  ETA 0:12  loss 0.4123  accuracy
//   0.812
// Anywhere else (a file, a pipe, CI) the same fields are printed as a new line at every tenth
// of the epoch, so a log stays short and readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "runtime/saved/model_dir.h"

namespace twinflow::cli {

class ProgressBar {
 public:
  // is_terminal: redraw in place (use stream_is_terminal()).
  ProgressBar(std::ostream& out, bool is_terminal);

  void start_epoch(int64_t epoch, int64_t epochs, int64_t batches);
  // After each batch: samples in it, and the running means to show ("loss", "accuracy").
  void update(int64_t batches_done, int64_t samples,
              const std::vector<std::pair<std::string, double>>& running);
  // Ends the epoch's line; the caller prints the epoch summary after it.
  void finish_epoch();

 private:
  std::string line(int64_t batches_done,
                   const std::vector<std::pair<std::string, double>>& running) const;

  using Clock = std::chrono::steady_clock;
  std::ostream& out_;
  bool terminal_;
  int64_t epoch_ = 0, epochs_ = 0, batches_ = 0, samples_ = 0;
  int64_t last_decile_ = -1;
  Clock::time_point started_, last_draw_;
  size_t drawn_width_ = 0;
};

// True when the stream is std::cout or std::cerr and that descriptor is a terminal.
bool stream_is_terminal(const std::ostream& out);

// The line printed after each epoch, on stdout:
//   epoch 2/5: loss 0.6519  accuracy 0.6763  val_loss 0.6191  val_accuracy 0.7128  (2.3 s)
std::string epoch_line(const runtime::EpochLog& log, int64_t epochs);

}  // namespace twinflow::cli
