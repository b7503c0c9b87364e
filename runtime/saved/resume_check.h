// runtime/saved/resume_check.h — what changed between a saved run and the run resuming it.
//
// A resumed run must continue the same training: the same spec and the same data. Resuming to
// train longer is what --resume is for, so `epochs`, `patience`, `monitor` and `keep` may change
// (and `seed`, which a resumed run takes from its state); files are compared by content (SHA-256),
// so a data file may move. Everything else that differs is reported, each change on its own, for
// the caller to refuse or (--resume-anyway) to warn.
#pragma once

#include <string>
#include <vector>

#include "graph/spec/spec.h"
#include "runtime/saved/model_dir.h"

namespace twinflow::runtime {

// The spec's data and validation files with their SHA-256. Throws FileError naming a file that
// cannot be read.
std::vector<InputFile> hash_inputs(const graph::TrainSpec& train);

// How the spec `given` differs from `saved` (as emitted YAML: "line 31 (train > optimizer):
// 'lr: 0.001' in the saved run, 'lr: 0.01' now"), epochs, patience, monitor, keep
// and data paths aside.
std::vector<std::string> spec_changes(const graph::ModelSpec& saved, const graph::ModelSpec& given);

// Which recorded files now hold other bytes, or are no longer given.
std::vector<std::string> input_changes(const std::vector<InputFile>& saved,
                                       const std::vector<InputFile>& now);

}  // namespace twinflow::runtime
