// train: monitor: {metric, mode} picks the best epoch and drives early stopping; keep: best|last
// chooses the weights a run ends with; the pair model's decision threshold saved with the kept
// weights is the validation split's best-accuracy one (runtime/train/monitor.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "graph/ir/errors.h"
#include "graph/model/model.h"
#include "runtime/saved/checkpoint.h"
#include "runtime/train/metrics.h"
#include "runtime/train/trainer.h"
#include "tests/runtime/overfit_run.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::runtime {
namespace {

// The overfitting spec with `extra` lines added to its train: section.
std::string overfit_with(const std::string& extra) {
  std::string spec(testing::kOverfitSpec);
  const size_t train = spec.find("train:\n");
  spec.insert(train + 7, extra);
  return spec;
}

struct MonitoredRun {
  testing::TempDir tmp;
  graph::Model model;

  explicit MonitoredRun(const std::string& extra) : model(build(extra)) {}

  graph::Model build(const std::string& extra) {
    tmp.write("train.tsv", testing::head_of("data/pairs_train.tsv", 128));
    tmp.write("val.tsv", testing::head_of("data/pairs_val.tsv", 64));
    return testing::build_spec_file(tmp.write("overfit.yaml", overfit_with(extra)));
  }
  TrainOptions options() {
    TrainOptions o;
    o.out_dir = tmp.path("run");
    return o;
  }
};

double metric_of(const EpochLog& log, const std::string& name) {
  for (const auto& [n, v] : log.val_metrics)
    if (n == name) return v;
  FAIL("no ", name, " in the epoch's validation metrics");
  return 0;
}

TEST_SUITE("runtime.train") {
  TEST_CASE("monitor val_auc keeps the epoch of the highest validation AUC, and its threshold") {
    MonitoredRun run("  monitor: {metric: val_auc}\n  metrics: [accuracy, auc]\n");
    Trainer<double> trainer(run.model, run.options());
    CHECK(trainer.monitor().higher_is_better);  // auto: max for a metric other than a loss
    const TrainSummary summary = trainer.fit();
    REQUIRE(summary.epochs.size() == 6);

    // The first epoch with the highest AUC, which is not the epoch of the lowest loss here.
    size_t by_auc = 0, by_loss = 0;
    for (size_t e = 1; e < summary.epochs.size(); ++e) {
      if (metric_of(summary.epochs[e], "auc") > metric_of(summary.epochs[by_auc], "auc"))
        by_auc = e;
      if (summary.epochs[e].val_loss < summary.epochs[by_loss].val_loss) by_loss = e;
    }
    CHECK(summary.best_epoch == static_cast<int64_t>(by_auc + 1));
    CHECK(trainer.state().monitor == "val_auc");
    CHECK(trainer.state().best_value == metric_of(summary.epochs[by_auc], "auc"));
    MESSAGE("best by val_auc: epoch ", by_auc + 1, "; by val_loss: epoch ", by_loss + 1);

    // The weights kept are that epoch's: evaluated now, the validation AUC is its own.
    const EvalResult val = trainer.evaluate(*trainer.val_data(), false);
    CHECK(roc_auc(val.scores, val.labels) == metric_of(summary.epochs[by_auc], "auc"));
    CHECK(testing::differences(trainer.params(), run.tmp.path("run/weights.safetensors")) == 0);

    // The decision threshold belongs to those weights, chosen on the validation split.
    REQUIRE(trainer.state().threshold);
    CHECK(*trainer.state().threshold == best_accuracy_threshold(val.scores, val.labels).threshold);
    const TrainState saved = read_state(run.tmp.path("run"));
    CHECK(saved.monitor == "val_auc");
    CHECK(saved.best_epoch == summary.best_epoch);
    REQUIRE(saved.threshold);
    CHECK(*saved.threshold == *trainer.state().threshold);
  }

  TEST_CASE("keep: last ends on the last epoch's weights and still names the best epoch") {
    MonitoredRun run("  keep: last\n");
    Trainer<double> trainer(run.model, run.options());
    const TrainSummary summary = trainer.fit();
    REQUIRE(summary.epochs.size() == 6);
    REQUIRE(summary.best_epoch < 6);  // the case is what it claims: the last is not the best
    CHECK_FALSE(trainer.keeps_best());
    const TrainState saved = read_state(run.tmp.path("run"));
    CHECK(testing::differences(trainer.params(), run.tmp.path("run/weights.safetensors")) == 0);
    CHECK(testing::differences(trainer.params(),
                               checkpoint_files(run.tmp.path("run"), saved).last) == 0);
    // The threshold is the last epoch's, the weights kept.
    const EvalResult val = trainer.evaluate(*trainer.val_data(), false);
    REQUIRE(saved.threshold);
    CHECK(*saved.threshold == best_accuracy_threshold(val.scores, val.labels).threshold);
  }

  TEST_CASE("patience counts the epochs without a better monitored value, in its mode") {
    // mode max on val_loss: the best is the highest loss, which an overfitting run reaches last
    // or first; either way the stop comes `patience` epochs after it.
    MonitoredRun run("  monitor: {metric: val_loss, mode: max}\n  patience: 1\n");
    Trainer<double> trainer(run.model, run.options());
    CHECK(trainer.monitor().higher_is_better);
    const TrainSummary summary = trainer.fit();
    double highest = summary.epochs.front().val_loss;
    for (const EpochLog& e : summary.epochs) highest = std::max(highest, e.val_loss);
    CHECK(summary.epochs[static_cast<size_t>(summary.best_epoch - 1)].val_loss == highest);
    if (summary.best_epoch < 6) {
      CHECK(summary.stopped_early);
      CHECK(summary.epochs.size() == static_cast<size_t>(summary.best_epoch + 1));
    }
  }

  TEST_CASE("a resume may change the monitor, which starts its count anew") {
    MonitoredRun run("");
    run.model.spec.train.epochs = 2;
    Trainer<double>(run.model, run.options()).fit();
    REQUIRE(read_state(run.tmp.path("run")).monitor == "val_loss");

    const graph::Model by_auc = testing::build_spec_file(
        run.tmp.write("by_auc.yaml", overfit_with("  monitor: {metric: val_auc}\n")));
    TrainOptions resume = run.options();
    resume.resume_dir = run.tmp.path("run");
    Trainer<double> trainer(by_auc, resume);
    const TrainSummary summary = trainer.fit();
    REQUIRE(summary.epochs.size() == 4);  // epochs 3 to 6
    CHECK(trainer.state().monitor == "val_auc");
    CHECK(trainer.state().best_epoch >= 3);  // the epochs before the change do not count
    CHECK(read_state(run.tmp.path("run")).monitor == "val_auc");
  }

  TEST_CASE("a monitored metric the log would never hold is refused at its line") {
    auto refusal = [](const std::string& extra) {
      MonitoredRun run(extra);
      try {
        Trainer<double> trainer(run.model, run.options());
      } catch (const graph::RuntimeInputError& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    const std::string not_logged = refusal("  monitor: {metric: val_f1}\n  metrics: [auc]\n");
    INFO(not_logged);
    CHECK(not_logged.find("overfit.yaml:19:") != std::string::npos);
    CHECK(not_logged.find("add f1 to train: metrics (the log shows loss, auc)") !=
          std::string::npos);
    const std::string wrong_family = refusal("  monitor: {metric: val_recall_at_1}\n");
    INFO(wrong_family);
    CHECK(wrong_family.find("'val_recall_at_1' is not measured for this model") !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::runtime
