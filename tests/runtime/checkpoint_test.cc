// A checkpoint is written as one set of files, a run stopped after any step resumes to the
// uninterrupted run's weights bit for bit (float64), and a resumed run must continue the same
// training: the same spec and the same data, unless told to go on regardless.
#include "runtime/saved/checkpoint.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/saved/model_dir.h"
#include "runtime/saved/saved_model.h"
#include "runtime/train/trainer.h"
#include "tests/runtime/overfit_run.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::runtime {
namespace {

namespace fs = std::filesystem;

struct OverfitFiles {
  testing::TempDir tmp;
  std::string spec;
  graph::Model model;
  OverfitFiles() {
    tmp.write("train.tsv", testing::head_of("data/pairs_train.tsv", 128));
    tmp.write("val.tsv", testing::head_of("data/pairs_val.tsv", 64));
    spec = tmp.write("overfit.yaml", testing::kOverfitSpec);
    model = testing::build_spec_file(spec);
  }
  // Options whose out_dir, tmp/name, holds a run trained to its end.
  TrainOptions trained(const std::string& name) {
    TrainOptions options;
    options.out_dir = tmp.path(name);
    Trainer<double>(model, options).fit();
    return options;
  }
};

// A stop request on the n-th time the trainer asks (it asks after every step but an epoch's
// first, and after every epoch but the last).
TrainObserver stop_at(int asked_before_stop, int& asked) {
  TrainObserver observer;
  observer.stop_requested = [&asked, asked_before_stop] { return ++asked == asked_before_stop; };
  return observer;
}

// Every parameter of the run in dir, as the last checkpoint and weights.safetensors hold them,
// equals those of the run in other, bit for bit.
void check_same_run(const graph::Model& model, const std::string& dir, const std::string& other) {
  ParameterStore<double> params(*model.graph, 1);
  load_weights(checkpoint_files(other, read_state(other)).last, params, LoadMode::kStrict);
  CHECK(testing::differences(params, checkpoint_files(dir, read_state(dir)).last) == 0);
  load_weights(other + "/weights.safetensors", params, LoadMode::kStrict);
  CHECK(testing::differences(params, dir + "/weights.safetensors") == 0);
  CHECK(read_state(dir).step == read_state(other).step);
  CHECK(read_log(dir).size() == read_log(other).size());
}

TEST_SUITE("runtime.checkpoint") {
  TEST_CASE("a run stopped mid-epoch, twice, resumes to the uninterrupted run bit for bit") {
    OverfitFiles f;
    const graph::Model& model = f.model;
    const TrainOptions whole = f.trained("whole");

    TrainOptions options;
    options.out_dir = f.tmp.path("stopped");
    int asked = 0;
    // 8 batches an epoch, 8 questions each (7 between batches, 1 after): the 11th comes after
    // the 3rd batch of epoch 2.
    CHECK_THROWS_AS(Trainer<double>(model, options, stop_at(11, asked)).fit(), TrainingInterrupted);
    TrainState state = read_state(options.out_dir);
    CHECK(state.epoch == 1);
    CHECK(state.batch == 3);
    CHECK(state.step == 11);
    CHECK(read_log(options.out_dir).size() == 1);

    options.resume_dir = options.out_dir;
    asked = 0;
    // Stopped again, this time between epochs (after 4 more questions within epoch 2).
    CHECK_THROWS_AS(Trainer<double>(model, options, stop_at(5, asked)).fit(), TrainingInterrupted);
    state = read_state(options.out_dir);
    CHECK(state.epoch == 2);
    CHECK(state.batch == 0);

    Trainer<double>(model, options).fit();
    check_same_run(model, options.out_dir, whole.out_dir);
    // Only the checkpoint state.json names is left.
    CHECK(std::distance(fs::directory_iterator(options.out_dir + "/checkpoints"),
                        fs::directory_iterator{}) == 1);
  }

  TEST_CASE("--resume refuses changed data or spec and names the change; anyway continues") {
    OverfitFiles f;
    const graph::Model& model = f.model;
    TrainOptions options;
    options.out_dir = f.tmp.path("run");
    int asked = 0;
    CHECK_THROWS_AS(Trainer<double>(model, options, stop_at(3, asked)).fit(), TrainingInterrupted);
    options.resume_dir = options.out_dir;

    // Another learning rate: named with its place in the spec.
    std::string faster(testing::kOverfitSpec);
    faster.replace(faster.find("lr: 0.05"), 8, "lr: 0.01");
    const graph::Model other = testing::build_spec_file(f.tmp.write("faster.yaml", faster));
    CHECK_THROWS_WITH_AS(Trainer<double>(other, options),
                         doctest::Contains("(train > optimizer): 'lr: 0.05' in the saved run, "
                                           "'lr: 0.01' now"),
                         ModelDirError);

    // More epochs (and a moved data file of the same bytes) are what resuming is for.
    std::string longer(testing::kOverfitSpec);
    longer.replace(longer.find("epochs: 6"), 9, "epochs: 7");
    fs::copy_file(f.tmp.path("train.tsv"), f.tmp.path("moved.tsv"));
    longer.replace(longer.find("data: train.tsv"), 15, "data: moved.tsv");
    const graph::Model more = testing::build_spec_file(f.tmp.write("longer.yaml", longer));
    CHECK_NOTHROW(Trainer<double>(more, options));

    // One changed byte of the training data.
    std::string rows = testing::head_of("data/pairs_train.tsv", 128);
    rows[rows.rfind('\t') - 1] ^= 1;
    f.tmp.write("train.tsv", rows);
    CHECK_THROWS_WITH_AS(
        Trainer<double>(model, options),
        doctest::Contains(("the data file has changed: " + f.tmp.path("train.tsv")).c_str()),
        ModelDirError);

    std::vector<std::string> warnings;
    TrainObserver observer;
    observer.warning = [&warnings](const std::string& w) { warnings.push_back(w); };
    options.resume_anyway = true;
    Trainer<double> anyway(model, options, observer);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("--resume-anyway") != std::string::npos);
    CHECK(warnings[0].find("the data file has changed") != std::string::npos);
  }

  TEST_CASE("a state naming a missing or outside checkpoint is refused, naming it") {
    testing::TempDir tmp;
    TrainState state;
    state.checkpoint = "checkpoints/step-000000007";
    CHECK_THROWS_WITH_AS(checkpoint_files(tmp.path("run"), state),
                         doctest::Contains("checkpoints/step-000000007, which is missing"),
                         ModelDirError);
    for (const char* outside : {"../elsewhere", "/tmp", "checkpoints/../../x", "checkpoints"}) {
      state.checkpoint = outside;
      CHECK_THROWS_WITH_AS(checkpoint_files(tmp.path("run"), state),
                           doctest::Contains("must name a directory in"), ModelDirError);
    }
  }

  // weights.safetensors is linked before state.json is replaced; a directory written while the
  // order was the other way round, killed between the two, has state.json and no link.
  TEST_CASE("without weights.safetensors a model is used with its checkpoint's weights") {
    OverfitFiles f;
    const std::string dir = f.trained("run").out_dir;
    CHECK(load_model_dir(dir).weights == "weights.safetensors");
    const std::string best = checkpoint_files(dir, read_state(dir)).best;
    // Differences between the store with_saved_model hands over and the checkpoint's weights.
    const auto differences_from_best = [&] {
      return with_saved_model(dir, [&](const SavedModel&, const ModelRoles&, auto& params) {
        if constexpr (std::is_same_v<std::decay_t<decltype(params)>, ParameterStore<double>>)
          return static_cast<int>(testing::differences(params, best));
        return -1;
      });
    };
    CHECK(differences_from_best() == 0);
    fs::remove(dir + "/weights.safetensors");
    CHECK(load_model_dir(dir).weights == read_state(dir).checkpoint + "/best.safetensors");
    CHECK(differences_from_best() == 0);
  }

  // A process killed after replacing state.json and before removing the checkpoint before it
  // (reliability.kill once landed there, in the last epoch): the resume has nothing to train.
  TEST_CASE("a resume removes the checkpoints state.json does not name") {
    OverfitFiles f;
    const graph::Model& model = f.model;
    TrainOptions options = f.trained("run");
    const std::string dir = options.out_dir;
    const fs::path named = fs::path(dir) / read_state(dir).checkpoint;
    const fs::path before = named.parent_path() / "step-000000001";
    fs::copy(named, before);
    f.tmp.write("run/state.json.tmp.123.4", "{");
    options.resume_dir = dir;
    Trainer<double>(model, options).fit();
    CHECK(fs::exists(named));
    CHECK_FALSE(fs::exists(before));
    CHECK_FALSE(fs::exists(dir + "/state.json.tmp.123.4"));
  }

  TEST_CASE("a run saved with its checkpoint files in the directory itself still resumes") {
    OverfitFiles f;
    const graph::Model& model = f.model;
    const TrainOptions whole = f.trained("whole");

    TrainOptions options;
    options.out_dir = f.tmp.path("old");
    int asked = 0;
    CHECK_THROWS_AS(Trainer<double>(model, options, stop_at(8, asked)).fit(),
                    TrainingInterrupted);  // after epoch 1
    // The layout before checkpoints had their own directory.
    TrainState state = read_state(options.out_dir);
    const CheckpointFiles files = checkpoint_files(options.out_dir, state);
    fs::copy_file(files.last, options.out_dir + "/checkpoint.safetensors");
    fs::copy_file(files.optimizer, options.out_dir + "/optimizer.safetensors");
    fs::remove_all(options.out_dir + "/checkpoints");
    state.checkpoint.clear();
    state.inputs.clear();
    write_state(options.out_dir, state);

    options.resume_dir = options.out_dir;
    Trainer<double>(model, options).fit();
    check_same_run(model, options.out_dir, whole.out_dir);
  }
}

}  // namespace
}  // namespace twinflow::runtime
