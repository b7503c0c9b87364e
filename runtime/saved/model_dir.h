// runtime/saved/ (twinflow_runtime_saved): a trained model, saved and used.
// Owns the model directory, what each value of a model means, embedding and scoring texts.
// May include: runtime/text, runtime/io, runtime/exec and below.
//
// runtime/saved/model_dir.h — a saved model: everything needed to continue training or to use it.
//
//   DIR/spec.yaml               the spec as trained (emit_spec: every default written, the
//                               command line's overrides applied, data paths made absolute)
//   DIR/vocab.txt               the vocabulary (runtime/text/vocabulary.h)
//   DIR/weights.safetensors     the weights to use: the best epoch's by the monitored value
//                               (runtime/train/monitor.h), or the last epoch's (`keep: last`,
//                               or nothing to monitor); a hard link to the checkpoint's file
//                               (SavedModel::weights)
//   DIR/state.json              {"epoch", "batch", "step", "monitor", "best_value",
//                                "best_epoch", "stale_epochs", "threshold", "seed", "dtype",
//                                "initial_loss", "checkpoint", "inputs"}
//   DIR/checkpoints/step-<N>/   the checkpoint state.json names: what --resume continues
//                               (runtime/saved/checkpoint.h)
//   DIR/log.jsonl               one JSON object per epoch: epoch, loss, the metrics, val_loss,
//                               val_<metric>, seconds
//   DIR/run.json                what reproduces the run (tools/cli/run_record.h)
// Which directory a run may be written into: runtime/saved/run_dir.h.
// Every file is written to a temporary file and renamed (runtime/io/atomic_file.h): after a crash
// each file is the old one or the new one, and state.json, replaced last, names a complete
// checkpoint. Loading is strict: a file missing or damaged, a vocabulary line, a weight missing
// or of the wrong shape is an error naming the file.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/model/model.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/text/vocabulary.h"

namespace twinflow::runtime {

// A saved model directory is incomplete or damaged.
class ModelDirError : public graph::RuntimeInputError {
 public:
  using graph::RuntimeInputError::RuntimeInputError;
};

// A file a run was trained on, by content: --resume refuses data that has changed since.
struct InputFile {
  std::string role;  // "data", "val"
  std::string path;
  std::string sha256;
};

struct TrainState {
  int64_t epoch = 0;  // epochs completed
  int64_t batch = 0;  // batches of epoch `epoch + 1` done (a run interrupted mid-epoch)
  int64_t step = 0;   // optimizer steps made
  std::string monitor = "val_loss";                              // what picks the best epoch
  double best_value = std::numeric_limits<double>::quiet_NaN();  // its value; NaN: none yet
  int64_t best_epoch = 0;
  int64_t stale_epochs = 0;  // epochs since the best one (early stopping)
  // A pair model's decision threshold (score ≥ threshold: alike), chosen on the validation split
  // for the weights kept: the one with the best accuracy there. None without validation data.
  std::optional<double> threshold;
  uint64_t seed = 0;
  std::string dtype = "float32";
  double initial_loss = std::numeric_limits<double>::quiet_NaN();  // the first batch's
  // The checkpoint directory, relative to the run's ("checkpoints/step-120"); "" in a run
  // saved before checkpoints had their own directory (its files then lie in DIR itself).
  std::string checkpoint;
  std::vector<InputFile> inputs;
};

struct EpochLog {
  int64_t epoch = 0;
  double loss = 0.0;
  std::vector<std::pair<std::string, double>> metrics;
  bool has_val = false;
  double val_loss = 0.0;
  std::vector<std::pair<std::string, double>> val_metrics;
  double seconds = 0.0;
};

std::string to_json_line(const EpochLog& log);

std::string dir_file(const std::string& dir, const std::string& name);

void write_spec(const std::string& dir, const graph::ModelSpec& spec);
void write_state(const std::string& dir, const TrainState& state);
TrainState read_state(const std::string& dir);
void write_log(const std::string& dir, const std::vector<std::string>& lines);
std::vector<std::string> read_log(const std::string& dir);  // empty when absent

struct SavedModel {
  graph::Model model;
  Vocabulary vocab;
  TrainState state;
  // The weights to use, relative to the directory: weights.safetensors, or when it is missing
  // the checkpoint's file it links to (runtime/saved/checkpoint.h: a process killed before its
  // first link leaves state.json naming a checkpoint without the link).
  std::string weights = "weights.safetensors";
};

// Parses and builds DIR/spec.yaml, reads the vocabulary and the state. Throws ModelDirError.
SavedModel load_model_dir(const std::string& dir);

// Loads `file` of the directory (weights.safetensors, checkpoint.safetensors) strictly.
template <typename T>
void load_dir_weights(const std::string& dir, const std::string& file, ParameterStore<T>& params);

// A store for `graph` (seeded with `seed`) holding `file` of the directory, loaded strictly.
// The file is matched against the graph's parameters before the store is allocated, so a
// spec.yaml declaring parameters the weights do not hold is refused, with load_dir_weights'
// message, at the cost of the file alone.
template <typename T>
ParameterStore<T> load_dir_parameters(const std::string& dir, const std::string& file,
                                      const graph::Graph& graph, uint64_t seed);

extern template void load_dir_weights(const std::string&, const std::string&,
                                      ParameterStore<float>&);
extern template void load_dir_weights(const std::string&, const std::string&,
                                      ParameterStore<double>&);
extern template ParameterStore<float> load_dir_parameters(const std::string&, const std::string&,
                                                          const graph::Graph&, uint64_t);
extern template ParameterStore<double> load_dir_parameters(const std::string&, const std::string&,
                                                           const graph::Graph&, uint64_t);

}  // namespace twinflow::runtime
