// tests/cli/tiny_pairs.h — a tiny cosine Siamese network (dim 8, LSTM 8, 12 steps, 2 epochs in
// float64) and a slice of the demo pairs in a temporary directory, for the end-to-end tests of
// the commands that train and use a model.
#pragma once

#include <string>
#include <vector>

#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::testing {

// tmp holds train.tsv (256 rows of data/pairs_train.tsv), val.tsv (64 of data/pairs_val.tsv)
// and the spec tiny.yaml, which reads them.
struct TinyPairs {
  TempDir tmp;
  std::string spec;
  TinyPairs();
  // `twinflow train` of the spec into tmp/out, in float64, with extra arguments.
  CliRun train(const std::string& out, std::vector<std::string> extra = {}) const;
};

// One model trained into trained_tiny_pairs().tmp.path("model"), shared by the tests that
// only read it.
const TinyPairs& trained_tiny_pairs();

}  // namespace twinflow::testing
