// runtime/saved/run_dir.h — which run a directory holds, and whether a spec may write into it.
//
// Two models are of the same spec when they have the same name and the same parameters (names
// and shapes): what --resume, --out and `viz --stats` need to agree on. Training options
// (epochs, data, learning rate) may differ.
//
// Runs are never lost by accident: a run goes into a directory that does not exist yet, is
// empty, or holds a run (spec.yaml and state.json) of the same spec; anything else is refused
// unless the caller says to overwrite, and then only the files a run writes are removed.
// Without a directory given, each run gets a new one, runs/<model>/<n>.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/model/model.h"

namespace twinflow::runtime {

// How `given` differs from `run` ("model 'a' (the run) vs 'b'; parameters only in the run:
// x [2, 3]; ..."), or nothing when they are of the same spec.
std::optional<std::string> spec_difference(const graph::Model& run, const graph::Model& given);

// Throws ModelDirError "DIR was trained from a different spec: ..." when the run saved in dir
// is not of `given`'s spec (what = "resume it", "draw its statistics", ...). Throws
// ModelDirError when dir holds no readable run.
void require_same_spec(const std::string& dir, const graph::Model& given);

// The files a run directory holds (model_dir.h, and run.json: what reproduces the run), the
// checkpoints directory and the files of runs saved before it existed included.
const std::vector<std::string>& run_files();

// Checks, before any data is read, that a run of `given` may be written into dir: not a file,
// writable (or creatable), and empty, absent or holding a run of the same spec. With
// `overwrite`, a directory holding anything else is accepted and its run files are removed
// (other files are left alone). Creates nothing. Throws ModelDirError saying what to do.
void prepare_out_dir(const std::string& dir, const graph::Model& given, bool overwrite);

// root/<model>/<n> with n one more than the largest number already there (1 for the first).
std::string next_run_dir(const std::string& root, const std::string& model);

}  // namespace twinflow::runtime
