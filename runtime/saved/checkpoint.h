// runtime/saved/checkpoint.h — a checkpoint is a set of files, written as one.
//
// A checkpoint lives in its own directory, DIR/checkpoints/step-<N>/ (N: optimizer steps made):
//   last.safetensors       the weights training continues from
//   best.safetensors       the best epoch's weights (only with validation data)
//   optimizer.safetensors  the optimizer's state
// It counts once DIR/state.json names it. state.json is replaced atomically and last, so a
// process killed at any moment leaves state.json naming a complete checkpoint (the new one or
// the one before), and --resume never mixes the weights of one step with the state of another.
// Saving, in order: begin_checkpoint makes the directory; the trainer writes the files;
// commit_checkpoint points DIR/weights.safetensors at the weights to use (a hard link, no copy),
// writes state.json, and removes the checkpoints before and the temporary files of writers
// killed mid-write. The link comes first so that a directory whose state.json names a checkpoint
// always has weights.safetensors: a kill between the two leaves the new weights under it and the
// state naming the checkpoint before, which --resume continues from.
#pragma once

#include <string>

#include "runtime/saved/model_dir.h"

namespace twinflow::runtime {

inline constexpr const char* kLastWeightsFile = "last.safetensors";
inline constexpr const char* kBestWeightsFile = "best.safetensors";
inline constexpr const char* kOptimizerFile = "optimizer.safetensors";

// The files of the checkpoint a state names.
struct CheckpointFiles {
  std::string last, best, optimizer;
};

// Makes DIR/checkpoints/step-<step>/ new and empty (what an interrupted save of the same step
// left there is removed) and returns its path.
std::string begin_checkpoint(const std::string& dir, int64_t step);

// The checkpoint's files are written: syncs its directory, links DIR/weights.safetensors to its
// file `use` (kBestWeightsFile or kLastWeightsFile), writes DIR/state.json (with
// state.checkpoint naming it), then removes every other checkpoint of DIR.
void commit_checkpoint(const std::string& dir, const std::string& checkpoint, TrainState state,
                       const char* use);

// Removes the checkpoints of DIR other than the one `state` names, and the temporary files of
// writers killed mid-write: what a process killed after replacing state.json, before cleaning
// up, leaves behind. commit_checkpoint calls it, and so does --resume, whose run may have
// nothing left to train and so save nothing.
void remove_unnamed_checkpoints(const std::string& dir, const TrainState& state);

// The files of the checkpoint `state` (read from dir) names; a run saved before checkpoints had
// their own directory keeps them in dir as checkpoint.safetensors, weights.safetensors and
// optimizer.safetensors. Throws ModelDirError when the checkpoint is missing or its name leaves
// DIR/checkpoints/.
CheckpointFiles checkpoint_files(const std::string& dir, const TrainState& state);

// The weights of the checkpoint state names, relative to DIR: its best.safetensors, or
// last.safetensors when it was trained without validation; weights.safetensors when state
// names no checkpoint.
std::string weights_of_checkpoint(const std::string& dir, const TrainState& state);

}  // namespace twinflow::runtime
