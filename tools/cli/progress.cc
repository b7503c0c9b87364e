#include "tools/cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

namespace twinflow::cli {

namespace {

std::string metrics_text(const std::vector<std::pair<std::string, double>>& metrics,
                         const std::string& prefix) {
  std::string out;
  for (const auto& [name, value] : metrics)
    out += fmt::format("  {}{} {:.4f}", prefix, name, value);
  return out;
}

std::string clock_time(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

std::string epoch_line(const runtime::EpochLog& log, int64_t epochs) {
  std::string line = fmt::format("epoch {}/{}: loss {:.4f}{}", log.epoch, epochs, log.loss,
                                 metrics_text(log.metrics, ""));
  if (log.has_val)
    line += fmt::format("  val_loss {:.4f}{}", log.val_loss, metrics_text(log.val_metrics, "val_"));
  return line + fmt::format("  ({:.1f} s)\n", log.seconds);
}

bool stream_is_terminal(const std::ostream& out) {
  if (&out == &std::cout) return isatty(STDOUT_FILENO) != 0;
  if (&out == &std::cerr) return isatty(STDERR_FILENO) != 0;
  return false;
}

ProgressBar::ProgressBar(std::ostream& out, bool is_terminal) : out_(out), terminal_(is_terminal) {}

void ProgressBar::start_epoch(int64_t epoch, int64_t epochs, int64_t batches) {
  epoch_ = epoch;
  epochs_ = epochs;
  batches_ = batches;
  samples_ = 0;
  last_decile_ = 0;
  drawn_width_ = 0;
  started_ = Clock::now();
  last_draw_ = Clock::time_point{};  // so the first batch is drawn at once
}

std::string ProgressBar::line(int64_t done,
                              const std::vector<std::pair<std::string, double>>& running) const {
  const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  const double rate = elapsed > 0 ? static_cast<double>(samples_) / elapsed : 0.0;
  const double eta =
      done > 0 ? elapsed * static_cast<double>(batches_ - done) / static_cast<double>(done) : 0.0;
  std::string text = fmt::format("epoch {}/{} ", epoch_, epochs_);
  if (terminal_) {
    constexpr int64_t kWidth = 20;
    const int64_t filled = batches_ > 0 ? kWidth * done / batches_ : kWidth;
    std::string bar(static_cast<size_t>(filled), '=');
    if (filled < kWidth) bar += '>';
    bar.resize(static_cast<size_t>(kWidth), ' ');
    text += "[" + bar + "] ";
  }
  text += fmt::format("{}/{}  {:.0f} samples/s  ", done, batches_, rate);
  text += done < batches_ ? "ETA " + clock_time(eta) : clock_time(elapsed);
  for (const auto& [name, value] : running) text += fmt::format("  {} {:.4f}", name, value);
  return text;
}

void ProgressBar::update(int64_t done, int64_t samples,
                         const std::vector<std::pair<std::string, double>>& running) {
  samples_ += samples;
  const Clock::time_point now = Clock::now();
  if (terminal_) {
    if (done < batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    std::string text = line(done, running);
    const size_t width = text.size();
    if (width < drawn_width_) text.append(drawn_width_ - width, ' ');  // erase a longer line
    drawn_width_ = width;
    out_ << "\r" << text << std::flush;
    return;
  }
  const int64_t decile = batches_ > 0 ? 10 * done / batches_ : 10;
  if (decile == last_decile_) return;
  last_decile_ = decile;
  out_ << line(done, running) << "\n" << std::flush;
}

void ProgressBar::finish_epoch() {
  if (terminal_ && drawn_width_ > 0) out_ << "\n";
  drawn_width_ = 0;
}

}  // namespace twinflow::cli
