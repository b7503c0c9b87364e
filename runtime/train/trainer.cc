// The training loop, its guards and its checkpoints (runtime/train/trainer.h).
#include "runtime/train/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <span>
#include <utility>

#include "runtime/io/atomic_file.h"
#include "runtime/io/weights_file.h"
#include "runtime/saved/checkpoint.h"
#include "runtime/train/metrics.h"

namespace twinflow::runtime {

namespace {

template <typename T>
std::optional<T> first_non_finite(std::span<const T> values) {
  for (T x : values)
    if (!std::isfinite(x)) return x;
  return std::nullopt;
}

constexpr double kPlateauTolerance = 1e-3;
constexpr int64_t kPlateauMinBatches = 4;
const std::vector<std::string> kBatchMetrics = {"accuracy", "triplet_accuracy"};
constexpr double kCollapsedVariance = 1e-6;

}  // namespace

template <typename T>
TrainSummary Trainer<T>::fit() {
  TrainSummary summary;
  const int64_t epochs = train_spec_.epochs;
  for (int64_t epoch = state_.epoch; epoch < epochs; ++epoch) {
    EpochLog log;
    run_epoch(epoch, log);
    summary.epochs.push_back(log);
    // The epoch's checkpoint is saved already.
    if (epoch + 1 < epochs && stop_agreed()) interrupt(0, false);
    if (train_spec_.patience > 0 && tracks_best() && state_.stale_epochs >= train_spec_.patience) {
      say(fmt::format("early stop: no better {} for {} epochs (best: epoch {})", monitor_.metric,
                      state_.stale_epochs, state_.best_epoch));
      summary.stopped_early = true;
      break;
    }
  }
  if (keeps_best() && !best_.empty())
    for (size_t i = 0; i < best_.size(); ++i) params_.all()[i].data = best_[i];
  summary.best_epoch = state_.best_epoch;
  if (exchange_) say(describe(exchange_->traffic(), processes_.size()));
  return summary;
}

template <typename T>
void Trainer<T>::run_epoch(int64_t epoch, EpochLog& log) {
  const auto started = std::chrono::steady_clock::now();
  BatchOrder order(train_.rows(), train_spec_.batch_size, train_spec_.shuffle, state_.seed);
  order.start_epoch(epoch);
  if (observer_.epoch_start) observer_.epoch_start(epoch + 1, train_spec_.epochs, order.batches());
  EvalResult running;
  active_sum_ = 0.0;
  active_rows_ = 0;
  const bool keep_towers = roles_.family == ModelFamily::kTriplet && !val_;
  // A run interrupted mid-epoch resumes with the batch after the last one it made.
  const int64_t first = std::min(std::exchange(state_.batch, 0), order.batches());
  for (int64_t k = first; k < order.batches(); ++k) {
    if (k > first && stop_agreed()) interrupt(k, true);
    const std::span<const int64_t> rows = order.batch(k);
    run_batch(rows, keep_towers, running);
    if (observer_.batch_done) {
      Metrics shown{{"loss", running.loss()}};
      // Only what is cheap to recompute after every batch: no ranking.
      for (const auto& m : summary_metrics(roles_, running, kBatchMetrics)) shown.push_back(m);
      if (active_rows_ > 0)
        shown.emplace_back("active", active_sum_ / static_cast<double>(active_rows_));
      observer_.batch_done(k + 1, static_cast<int64_t>(rows.size()), shown);
    }
  }
  epoch_batches_ = order.batches() - first;
  merge_across(processes_, running);
  if (processes_.size() > 1) {
    std::vector<double> active{active_sum_, static_cast<double>(active_rows_)};
    processes_.sum(std::span(active));
    active_sum_ = active[0];
    active_rows_ = static_cast<int64_t>(active[1]);
  }
  log.epoch = epoch + 1;
  log.loss = running.loss();
  log.metrics = summary_metrics(roles_, running, train_spec_.metrics);
  // The share of triplets whose hinge is non-zero: at 0 the loss is 0 and nothing is learned,
  // near 1 with a loss at the margin the embeddings have collapsed.
  if (active_rows_ > 0)
    log.metrics.emplace_back("active_triplets", active_sum_ / static_cast<double>(active_rows_));
  log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  end_epoch(log, running);
}

// One optimizer step over the rows. This process computes its share of them (all of them when
// it is alone), as `accumulate` micro-batches each weighted by its share of the whole batch, so
// that the gradients summed over the processes are the batch's mean gradient.
template <typename T>
void Trainer<T>::run_batch(std::span<const int64_t> rows, bool keep_towers, EvalResult& running) {
  params_.zero_grad();
  const int64_t total = static_cast<int64_t>(rows.size());
  const Share share = share_of(total, processes_.rank(), processes_.size());
  const std::span<const int64_t> own =
      rows.subspan(static_cast<size_t>(share.begin), static_cast<size_t>(share.end - share.begin));
  const int64_t count = static_cast<int64_t>(own.size());
  const int64_t parts = std::min(options_.accumulate, count);
  const auto part_of = [&](int64_t m) {
    const int64_t begin = count * m / parts, end = count * (m + 1) / parts;
    return own.subspan(static_cast<size_t>(begin), static_cast<size_t>(end - begin));
  };
  const auto backward = [&](std::span<const int64_t> part,
                            const typename autograd::Tape<T>::GradientDone& done) {
    executor_.backward(
        roles_.loss, static_cast<T>(static_cast<double>(part.size()) / static_cast<double>(total)),
        done);
    collect(roles_, executor_, batch_, keep_towers, running);
  };
  // Every forward runs inside together(), so that a failure on any process (a non-finite loss)
  // stops every process before any of them starts summing; the last part's backward then runs
  // outside it, handing each gradient to the sum as soon as it is complete.
  together(processes_, [&] {
    for (int64_t m = 0; m < parts; ++m) {
      const std::span<const int64_t> part = part_of(m);
      gather(train_, part, batch_);
      feed(executor_, batch_);
      // Dropout masks follow (seed, step, dataset row): the same however the batch is split.
      row_keys_.assign(part.begin(), part.end());
      executor_.forward(true, ops::mix64(state_.seed, static_cast<uint64_t>(state_.step)),
                        row_keys_);
      check_loss();
      const double loss = static_cast<double>(executor_.value(roles_.loss).data.at(0));
      if (std::isnan(state_.initial_loss)) state_.initial_loss = loss;
      if (triplet_stats_) {
        const ops::TripletBatchStats stats =
            ops::triplet_batch_stats(executor_.value(triplet_pred_), *triplet_stats_);
        const int64_t rows_in_part = static_cast<int64_t>(part.size());
        active_sum_ += stats.active_fraction * static_cast<double>(rows_in_part);
        active_rows_ += rows_in_part;
      }
      if (m + 1 < parts) backward(part, {});
    }
  });
  if (!exchange_) {
    if (parts > 0) backward(part_of(parts - 1), {});
  } else {
    exchange_->begin();
    if (parts > 0) backward(part_of(parts - 1), [&](graph::ValueId v) { exchange_->done(v); });
    exchange_->finish();
  }
  check_gradients();
  optimizer_->step(params_);
  ++state_.step;
}

// Whether any process was asked to stop: every process stops at the same step.
template <typename T>
bool Trainer<T>::stop_agreed() {
  int64_t stop = observer_.stop_requested && observer_.stop_requested() ? 1 : 0;
  if (processes_.size() > 1) processes_.sum(std::span(&stop, 1));
  return stop > 0;
}

template <typename T>
void Trainer<T>::check_loss() const {
  const T loss = executor_.value(roles_.loss).data.at(0);
  if (std::isfinite(loss)) return;
  std::string where = "no node value is itself non-finite";
  for (const graph::Node& node : model_.graph->nodes())
    if (const auto bad = first_non_finite<T>(executor_.value(node.output).data)) {
      where = fmt::format("the first non-finite value ({}) is node '{}' ({})", *bad, node.name,
                          node.op->name);
      break;
    }
  throw TrainingStopped(fmt::format("step {} (epoch {}): the loss is {}; {}. Training stopped; {}",
                                    state_.step + 1, state_.epoch + 1, loss, where,
                                    options_.out_dir.empty()
                                        ? "nothing was saved"
                                        : "the directory keeps the last completed epoch"));
}

template <typename T>
void Trainer<T>::check_gradients() const {
  for (const Parameter<T>& p : params_.all()) {
    if (!p.trainable) continue;
    std::optional<T> bad;
    for_each_grad_range(p, [&](int64_t begin, int64_t n) {
      if (!bad)
        bad = first_non_finite<T>(
            std::span(p.grad.data).subspan(static_cast<size_t>(begin), static_cast<size_t>(n)));
    });
    if (bad)
      throw TrainingStopped(fmt::format(
          "step {} (epoch {}): the gradient of parameter '{}' holds {} (the first parameter "
          "with a non-finite gradient). Training stopped before the update; {}",
          state_.step + 1, state_.epoch + 1, p.name, *bad,
          options_.out_dir.empty() ? "nothing was saved"
                                   : "the directory keeps the last completed epoch"));
  }
}

// Evidence that training is stuck: after a first epoch of several batches, the mean loss is
// still within noise of the first batch's. One batch is no evidence: its mean is its start.
template <typename T>
std::optional<std::string> Trainer<T>::plateau_warning(const EpochLog& log) const {
  if (log.epoch != 1 || epoch_batches_ < kPlateauMinBatches ||
      std::abs(log.loss - state_.initial_loss) >= kPlateauTolerance * std::abs(state_.initial_loss))
    return std::nullopt;
  const bool bce = model_.spec.loss && model_.spec.loss->op == "binary_crossentropy";
  const std::string why =
      roles_.family == ModelFamily::kTriplet
          ? "a triplet loss that stays put: the tower gives every text nearly the same vector"
          : (bce ? "ln 2 = 0.6931 is every pair scored 0.5" : "every pair scored alike");
  return fmt::format(
      "the training loss has not moved from its starting value {:.4f} over the first epoch's {} "
      "batches ({}). Try another --seed, a larger --lr, or an Embedding initializer with a "
      "larger scale",
      state_.initial_loss, epoch_batches_, why);
}

template <typename T>
void Trainer<T>::end_epoch(EpochLog& log, const EvalResult& train) {
  const EvalResult* towers = &train;
  EvalResult val;
  if (val_) {
    val = evaluate(*val_, roles_.family == ModelFamily::kTriplet);
    towers = &val;
    log.has_val = true;
    log.val_loss = val.loss();
    log.val_metrics = summary_metrics(roles_, val, train_spec_.metrics);
  }
  const bool improved = track_best(log, val_ ? &val : nullptr);
  state_.epoch = log.epoch;
  if (const std::optional<std::string> plateau = plateau_warning(log)) warn(*plateau);
  if (roles_.family == ModelFamily::kTriplet && towers->dim > 0 &&
      tower_variance(*towers) < kCollapsedVariance)
    warn(
        fmt::format("the embeddings have collapsed: the variance of the tower outputs is {:.2e}; "
                    "the loss sits at the margin. Try a smaller --lr or another --seed",
                    tower_variance(*towers)));
  log_lines_.push_back(to_json_line(log));
  if (observer_.epoch_end) observer_.epoch_end(log);
  save_checkpoint(improved);
}

// Whether this epoch is the best so far by the monitored value (always, when nothing is
// monitored); keeps its weights and, for a pair model, its decision threshold on validation.
template <typename T>
bool Trainer<T>::track_best(const EpochLog& log, const EvalResult* val) {
  bool improved = true;
  if (tracks_best()) {
    const std::optional<double> value = monitor_.value_in(log);
    improved = value && monitor_.improves(*value, state_.best_value);
    if (improved) {
      state_.best_value = *value;
      state_.best_epoch = log.epoch;
      state_.stale_epochs = 0;
    } else {
      ++state_.stale_epochs;
    }
  }
  if (improved || !keeps_best()) {
    if (keeps_best()) {
      best_.clear();
      for (const Parameter<T>& p : params_.all()) best_.push_back(p.data);
    }
    // The threshold belongs to the weights kept: chosen on the validation split's scores of
    // these weights, never on the file a user later scores.
    if (val != nullptr && roles_.family == ModelFamily::kPair && !val->scores.empty())
      state_.threshold = best_accuracy_threshold(val->scores, val->labels).threshold;
  }
  return improved;
}

// The checkpoint is written as one (runtime/saved/checkpoint.h). The directory and its spec and
// vocabulary are made with the first checkpoint, so a run that fails before then leaves nothing
// behind. A save that fails (a full disk) leaves the checkpoint before it in place.
template <typename T>
void Trainer<T>::save_checkpoint(bool improved) {
  const std::string& dir = options_.out_dir;
  if (dir.empty()) return;
  // The first process writes; a failure there stops every process.
  together(processes_, [&] {
    if (processes_.is_root()) write_checkpoint(improved);
  });
}

template <typename T>
void Trainer<T>::write_checkpoint(bool improved) {
  const std::string& dir = options_.out_dir;
  if (!wrote_spec_) {
    std::filesystem::create_directories(dir);
    write_spec(dir, model_.spec);
    vocab_.write(dir_file(dir, "vocab.txt"));
    wrote_spec_ = true;
  }
  std::string checkpoint;
  try {
    checkpoint = begin_checkpoint(dir, state_.step);
    const std::string last = dir_file(checkpoint, kLastWeightsFile);
    save_weights(last, params_);
    optimizer_->save_state(dir_file(checkpoint, kOptimizerFile));
    const std::string best = dir_file(checkpoint, kBestWeightsFile);
    // Improved: the weights just saved are the best; otherwise the best stay those saved before
    // (none yet in an epoch interrupted before the first validation: the current ones).
    if (keeps_best())
      link_file_atomically(improved || best_file_.empty() ? last : best_file_, best);
    write_log(dir, log_lines_);
    commit_checkpoint(dir, checkpoint, state_, keeps_best() ? kBestWeightsFile : kLastWeightsFile);
    if (keeps_best()) best_file_ = best;
  } catch (const FileError& e) {
    std::error_code ignored;
    if (!checkpoint.empty()) std::filesystem::remove_all(checkpoint, ignored);
    throw FileError(fmt::format(
        "{}\nThe checkpoint of step {} could not be saved; {} still holds the one before it "
        "(continue it with --resume once the cause is fixed)",
        e.what(), state_.step, dir));
  }
  if (observer_.epoch_saved) observer_.epoch_saved(dir);
}

// Stops after `batches` batches of the running epoch, saving the run first when `save`.
template <typename T>
void Trainer<T>::interrupt(int64_t batches, bool save) {
  if (save) {
    state_.batch = batches;
    save_checkpoint(false);
  }
  const std::string where =
      batches > 0 ? fmt::format("in epoch {}, after batch {}", state_.epoch + 1, batches)
                  : fmt::format("after epoch {}", state_.epoch);
  throw TrainingInterrupted(
      fmt::format("training interrupted at step {} ({}){}", state_.step, where,
                  options_.out_dir.empty() ? "; nothing was saved"
                                           : "; " + options_.out_dir + " holds this step"),
      options_.out_dir);
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace twinflow::runtime
