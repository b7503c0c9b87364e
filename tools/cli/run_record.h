// tools/cli/run_record.h — DIR/run.json, what reproduces a training run:
//   {"twinflow": {"version", "commit"},   the build (commit as configured; "unknown" outside git)
//    "commands": [[argv...], ...],        every command that trained into DIR (a resumed run
//                                         adds its own), program name first
//    "seed", "dtype",
//    "files": {ROLE: {"path", "sha256"}}  data, val, test, vocab, init and each pretrained
//                                         table's file (pretrained.LAYER), by SHA-256 of the bytes
//    "test": {METRIC: value},             the test split's numbers as printed (when one is given)
//    "thresholds": {NAME: value},         the decision thresholds chosen on the validation split
//    "distance"}                          triplet models: how tower outputs are compared
// Written after every saved epoch and again once the test split is scored.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/spec/spec.h"
#include "runtime/train/trainer.h"

namespace twinflow::cli {

struct RunRecord {
  std::vector<std::vector<std::string>> commands;
  uint64_t seed = 0;
  std::string dtype;
  std::vector<std::pair<std::string, std::string>> files;   // role, absolute path
  std::vector<std::pair<std::string, std::string>> hashes;  // role, SHA-256 (files that exist)
  runtime::Metrics test;
  runtime::Metrics thresholds;
  std::string distance;  // "" for pair models
};

// The record of a run about to start: `args` is this command line; a resumed run's earlier
// commands come from resume_dir/run.json when it has one. Hashes every file that exists.
RunRecord start_record(const graph::ModelSpec& spec, const runtime::TrainOptions& options,
                       const std::string& dtype, const std::vector<std::string>& args);

void write_run_record(const std::string& dir, const RunRecord& record);

// The "thresholds" of dir/run.json (none when it is absent, unreadable or has none).
runtime::Metrics recorded_thresholds(const std::string& dir);

// A pair model's decision threshold (score ≥ value: alike) and where it comes from; one rule
// for train's test lines, eval, predict and similar: the threshold state.json records (chosen on
// the validation split for the weights kept, runtime/saved/model_dir.h); for a run saved before
// state.json held one, run.json's; else 0.5 for a score that is a probability; none for a
// distance (contrastive), a triplet model or a tower.
struct DecisionThreshold {
  std::optional<double> value;
  std::string source;  // "the validation split's best-accuracy threshold, saved with the model"
  // "accuracy at 0.4870 (the validation split's ...)"; "" without a threshold.
  std::string accuracy_label() const;
};
// dir: the model's directory ("": none, a model in memory).
DecisionThreshold decision_threshold(const std::string& dir, const runtime::TrainState& state,
                                     const runtime::ModelRoles& roles);

}  // namespace twinflow::cli
