// runtime/train/ (twinflow_runtime_train): training and evaluation.
// Owns the trainer, metrics, evaluation and the word-counting baselines.
// May include: every other runtime/ folder and below.
//
// runtime/train/trainer.h — trains a built model on TSV data: epochs of shuffled batches, an
// optimizer step per batch, validation, early stopping, checkpoints and the guards that tell
// a user why a run went wrong.
//
// Setup (runtime/train/trainer_setup.cc), in this order, each later step overriding the earlier:
//   parameters from the spec's initializers under `seed`; the vocabulary given, from --vocab, or
//   built from the training file (min_count 1, max_size = the smallest Embedding's vocab, so
//   every id fits every table; none when the data are token ids); pretrained vectors per Embedding
//   (`pretrained:`); --init weights by name (a report of what was missing or unexpected); --resume
//   DIR (weights, optimizer, epoch).
// An epoch (runtime/train/trainer.cc): batches in the order of (seed, epoch)
// (runtime/data/batches.h); each batch is split into `accumulate` micro-batches whose gradients add
// up to the batch's (backward(loss, b_i / B)); one optimizer step per batch. Dropout masks are
// drawn from (seed, step, dataset row), so a float64 run, and a resumed one, repeat bit for bit,
// and a batch's masks do not depend on how it is split (micro-batches, processes).
// Over several processes (runtime/dist/), each takes its share of every batch's rows and the
// gradients are summed during the last micro-batch's backward (runtime/train/gradient_exchange.h).
// Checkpoints (runtime/saved/checkpoint.h): after every epoch, and after the step at which
// TrainObserver::stop_requested turns true; a run resumed mid-epoch continues with the next batch
// of the same order, so its weights match an uninterrupted run's bit for bit in float64 (its
// epoch line then counts only the batches after the resume).
// Guards: a non-finite loss stops the run naming the step and the first node whose value is
// not finite; a non-finite gradient stops it naming the step and the first such parameter.
// The directory then still holds the last completed epoch. Warnings: the loss after the first
// epoch within 1e-3 (relative) of the first batch's loss (the ln 2 plateau of a pair model
// whose two encodings start equal); a triplet model's tower outputs with variance near zero
// (collapsed embeddings, where the loss sits at the margin).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/model/model.h"
#include "ops/mining_losses.h"
#include "runtime/data/dataset.h"
#include "runtime/dist/communicator.h"
#include "runtime/exec/executor.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/optim/optimizer.h"
#include "runtime/saved/model_dir.h"
#include "runtime/saved/model_roles.h"
#include "runtime/text/vocabulary.h"
#include "runtime/train/evaluation.h"
#include "runtime/train/gradient_exchange.h"
#include "runtime/train/monitor.h"

namespace twinflow::runtime {

// A run stopped by the NaN/Inf guard.
class TrainingStopped : public graph::RuntimeInputError {
 public:
  using graph::RuntimeInputError::RuntimeInputError;
};

// A run stopped because TrainObserver::stop_requested said so, after a whole step. `saved` is
// the directory holding that step (resumable with --resume), or "" when nothing is written.
class TrainingInterrupted : public std::runtime_error {
 public:
  TrainingInterrupted(const std::string& what, std::string saved_dir)
      : std::runtime_error(what), saved(std::move(saved_dir)) {}
  std::string saved;
};

// Data handed to a trainer in memory instead of the spec's files (the Python package reads or
// builds its datasets itself): text columns unencoded, or given as ids.
struct TrainData {
  Dataset train;
  std::optional<Dataset> val;
  // The vocabulary to encode with (a model trained before); else as in the setup above.
  std::optional<Vocabulary> vocab;
};

// What a training run needs besides the spec (whose train: section gives data, val,
// epochs, batch_size, optimizer, seed, shuffle and patience; paths already resolved).
struct TrainOptions {
  std::string vocab_file;    // "" : build from the training data
  std::string init_weights;  // "" : none
  // false: init_weights must hold every parameter of the model and nothing else (as PyTorch's
  // load_state_dict(strict=True)); true: what it lacks keeps its initial value, and what the
  // model lacks is ignored. Shapes must match either way.
  bool init_partial = false;
  std::string out_dir;     // "" : nothing written
  std::string resume_dir;  // "" : a fresh run
  // Resume although the spec, the data or the vocabulary changed since the run was saved
  // (runtime/saved/resume_check.h); each change is then a warning instead of an error.
  bool resume_anyway = false;
  int64_t accumulate = 1;  // micro-batches per batch
  bool skip_bad_rows = false;
  // The processes this run is spread over (runtime/dist/communicator.h); null: this one alone.
  Communicator* processes = nullptr;
};

using Metrics = std::vector<std::pair<std::string, double>>;

// How a trainer reports; every member is optional.
struct TrainObserver {
  std::function<void(const std::string&)> info;
  std::function<void(const std::string&)> warning;
  std::function<void(int64_t epoch, int64_t epochs, int64_t batches)> epoch_start;
  // samples: the rows of the batch just done.
  std::function<void(int64_t batches_done, int64_t samples, const Metrics& running)> batch_done;
  std::function<void(const EpochLog&)> epoch_end;
  // After an epoch's files are in the directory (TrainOptions::out_dir).
  std::function<void(const std::string& dir)> epoch_saved;
  // Asked after every step: true saves the run as it stands and throws TrainingInterrupted
  // (a signal handler's flag, a notebook's KeyboardInterrupt).
  std::function<bool()> stop_requested;
};

struct TrainSummary {
  std::vector<EpochLog> epochs;  // of this run (a resumed run: the new ones)
  int64_t best_epoch = 0;        // 0 without validation
  bool stopped_early = false;
};

// Makes the spec's data, val, test and pretrained paths absolute, relative to its file.
void resolve_spec_paths(graph::ModelSpec& spec);

template <typename T>
class Trainer {
 public:
  // Reads the data and sets everything up (see above). The model must outlive the trainer.
  // Throws DataError, graph::RuntimeInputError, SafetensorsError, ModelDirError.
  Trainer(const graph::Model& model, TrainOptions options, TrainObserver observer = {});
  // The same with the data given; the spec's data and val then only name it (a file's
  // SHA-256 is recorded when they name one).
  Trainer(const graph::Model& model, TrainData data, TrainOptions options,
          TrainObserver observer = {});

  // Runs the remaining epochs; throws TrainingStopped from the guards. Leaves the weights to
  // keep in params(): the best epoch's by the monitored value (runtime/train/monitor.h), or the
  // last epoch's with `keep: last` or nothing to monitor.
  TrainSummary fit();

  // Reads a data file with the model's columns and encodes it with the vocabulary.
  Dataset load_data(const std::string& path) const;
  EvalResult evaluate(const Dataset& data, bool keep_towers);

  const ModelRoles& roles() const { return roles_; }
  const Vocabulary& vocab() const { return vocab_; }
  const Dataset& train_data() const { return train_; }
  const std::optional<Dataset>& val_data() const { return val_; }
  ParameterStore<T>& params() { return params_; }
  const TrainState& state() const { return state_; }
  const Monitor& monitor() const { return monitor_; }
  // Whether the monitored value exists in this run (a val_ metric needs a validation split).
  bool tracks_best() const { return val_.has_value() || !monitor_.on_validation; }
  // Whether the run ends with its best epoch's weights rather than its last.
  bool keeps_best() const { return tracks_best() && train_spec_.keep == "best"; }

 private:
  void setup(std::optional<Vocabulary> vocab);
  void check_same_setup();
  void setup_vocabulary(std::optional<Vocabulary> given);
  void load_pretrained_tables();
  void load_init_weights();
  void resume();
  void run_epoch(int64_t epoch, EpochLog& log);
  void run_batch(std::span<const int64_t> rows, bool keep_towers, EvalResult& running);
  bool stop_agreed();
  void check_loss() const;
  void check_gradients() const;
  void end_epoch(EpochLog& log, const EvalResult& train);
  bool track_best(const EpochLog& log, const EvalResult* val);
  std::optional<std::string> plateau_warning(const EpochLog& log) const;
  void save_checkpoint(bool improved);
  void write_checkpoint(bool improved);
  [[noreturn]] void interrupt(int64_t batches, bool save);
  void say(const std::string& text) const;
  void warn(const std::string& text) const;

  const graph::Model& model_;
  const graph::TrainSpec& train_spec_;
  TrainOptions options_;
  TrainObserver observer_;
  Communicator& processes_;
  ModelRoles roles_;
  Monitor monitor_;
  std::vector<ColumnSpec> columns_;
  Dataset train_;
  std::optional<Dataset> val_;
  Vocabulary vocab_;
  ParameterStore<T> params_;
  Executor<T> executor_;
  std::unique_ptr<Optimizer<T>> optimizer_;
  TrainState state_;
  std::vector<ops::Tensor<T>> best_;  // the best epoch's parameters (keeps_best())
  std::string best_file_;             // where the last checkpoint saved them ("" : not yet)
  std::vector<std::string> log_lines_;
  bool wrote_spec_ = false;  // the directory, spec.yaml and vocab.txt exist
  Batch<T> batch_;
  std::vector<uint64_t> row_keys_;  // the running micro-batch's dataset rows
  // Sums the gradients over the processes during backward; none when this process is alone.
  std::unique_ptr<GradientExchange<T>> exchange_;
  // A triplet loss whose hinges can be counted (ops/mining_losses.h): the value it reads and
  // how it counts; the epoch's running sum of active fractions, weighted by rows.
  std::optional<ops::TripletStatsOptions> triplet_stats_;
  graph::ValueId triplet_pred_ = -1;
  double active_sum_ = 0.0;
  int64_t active_rows_ = 0;
  int64_t epoch_batches_ = 0;  // of the epoch running
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace twinflow::runtime
