// With validation data, fit() ends on the best epoch's weights (by validation loss), not the
// last epoch's: in memory, where the test split is evaluated, and in weights.safetensors, while
// the checkpoint (runtime/saved/checkpoint.h) holds the last epoch to resume from.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "runtime/io/safetensors.h"
#include "runtime/io/weights_file.h"
#include "runtime/saved/checkpoint.h"
#include "runtime/train/trainer.h"
#include "tests/runtime/overfit_run.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::runtime {
namespace {

TEST_SUITE("runtime.train") {
  TEST_CASE("fit keeps the best epoch's weights, in memory and in weights.safetensors") {
    testing::TempDir tmp;
    tmp.write("train.tsv", testing::head_of("data/pairs_train.tsv", 128));
    tmp.write("val.tsv", testing::head_of("data/pairs_val.tsv", 64));
    const graph::Model model =
        testing::build_spec_file(tmp.write("overfit.yaml", testing::kOverfitSpec));
    TrainOptions options;
    options.out_dir = tmp.path("run");
    Trainer<double> trainer(model, options);
    const TrainSummary summary = trainer.fit();

    // The case is what it claims: the last epoch is not the best.
    REQUIRE(summary.epochs.size() == 6);
    REQUIRE(summary.best_epoch >= 1);
    REQUIRE(summary.best_epoch < 6);
    const EpochLog& best = summary.epochs[static_cast<size_t>(summary.best_epoch - 1)];
    CHECK(best.val_loss == trainer.state().best_value);
    CHECK(summary.epochs.back().val_loss > best.val_loss);

    CHECK(testing::differences(trainer.params(), tmp.path("run/weights.safetensors")) == 0);
    const TrainState saved = read_state(tmp.path("run"));
    CHECK(testing::differences(trainer.params(), checkpoint_files(tmp.path("run"), saved).last) >
          0);
    CHECK(testing::differences(trainer.params(), checkpoint_files(tmp.path("run"), saved).best) ==
          0);
    // Evaluated now, the validation loss is the best epoch's, to the bit (float64).
    CHECK(trainer.evaluate(*trainer.val_data(), false).loss() == best.val_loss);
  }
}

}  // namespace
}  // namespace twinflow::runtime
