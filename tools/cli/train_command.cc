// `twinflow train SPEC.yaml`: trains a model on the spec's data (or --data), shows progress,
// saves the model directory and ends with the test split's scores.
//
// The directory is --out, the --resume directory, or a new runs/<model>/<n>; it is checked
// before any data is read (runtime/saved/run_dir.h) and records what reproduces the run
// (tools/cli/run_record.h).
#include <fmt/format.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "graph/spec/fields.h"
#include "runtime/dist/communicator.h"
#include "runtime/saved/run_dir.h"
#include "runtime/train/baselines.h"
#include "runtime/train/metrics.h"
#include "runtime/train/trainer.h"
#include "tools/cli/commands.h"
#include "tools/cli/interrupt.h"
#include "tools/cli/load_model.h"
#include "tools/cli/option_checks.h"
#include "tools/cli/progress.h"
#include "tools/cli/run_record.h"

namespace twinflow::cli {

namespace {

struct TrainCommandOptions {
  std::string spec;
  std::optional<std::string> data, val, test, optimizer, out;
  std::optional<int64_t> epochs, batch_size, seed;
  std::optional<double> lr;
  std::string dtype = "float32";
  bool no_shuffle = false;
  bool overwrite = false;
  bool quiet = false;
  runtime::TrainOptions train;
};

std::string absolute(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

void apply_overrides(const TrainCommandOptions& o, graph::ModelSpec& spec) {
  runtime::resolve_spec_paths(spec);
  graph::TrainSpec& t = spec.train;
  if (o.data) t.data = absolute(*o.data);
  if (o.val) t.val = absolute(*o.val);
  // The spec's test file belongs to the spec's own data: scored after training on other data,
  // with word counting fitted on that data, it would be printed as this run's test.
  if (o.test)
    t.test = absolute(*o.test);
  else if (o.data)
    t.test.clear();
  if (o.epochs) t.epochs = *o.epochs;
  if (o.batch_size) t.batch_size = *o.batch_size;
  if (o.seed) t.seed = *o.seed;
  if (o.no_shuffle) t.shuffle = false;
  if (o.optimizer && *o.optimizer != t.optimizer.name)
    t.optimizer = graph::default_optimizer(*o.optimizer);
  if (o.lr) t.optimizer.lr = *o.lr;
}

// The test split's pair lines; returns the metrics the baselines are compared on: ROC-AUC, and
// accuracy at the model's decision threshold (tools/cli/run_record.h: the validation split's
// best-accuracy threshold, saved with the model), the rule eval follows too. Word counting's
// threshold is the one best on the training split; the model's is chosen on the validation
// split, since on the training split it would be tuned to rows the model has learned.
template <typename T>
runtime::Metrics print_pair_test(runtime::Trainer<T>& trainer, const runtime::EvalResult& r,
                                 const std::string& dir, RunRecord& record, std::ostream& out) {
  const double auc = runtime::roc_auc(r.scores, r.labels);
  runtime::Metrics compared{{"ROC-AUC", auc}};
  record.test = {{"rows", static_cast<double>(r.rows)}, {"loss", r.loss()}, {"roc_auc", auc}};
  out << fmt::format("test ({} pairs): loss {:.4f}  ROC-AUC {:.4f}\n", r.rows, r.loss(), auc);
  const DecisionThreshold t = decision_threshold(dir, trainer.state(), trainer.roles());
  if (t.value) {
    const double accuracy = runtime::accuracy_at(r.scores, r.labels, *t.value);
    out << fmt::format("test {}: {:.4f}\n", t.accuracy_label(), accuracy);
    compared.emplace_back("accuracy", accuracy);
    record.test.emplace_back("accuracy", accuracy);
    record.thresholds = {{"best_accuracy", *t.value}};
  }
  if (!trainer.val_data()) return compared;
  const runtime::EvalResult val = trainer.evaluate(*trainer.val_data(), false);
  const runtime::ThresholdChoice pick = runtime::best_f1_threshold(val.scores, val.labels);
  const runtime::ThresholdChoice at = runtime::scores_at(r.scores, r.labels, pick.threshold);
  out << fmt::format(
      "test at the validation's best-F1 threshold {:.4f}: accuracy {:.4f}  F1 {:.4f}\n",
      pick.threshold, at.accuracy, at.f1);
  record.thresholds.emplace_back("best_f1", pick.threshold);
  record.test.insert(record.test.end(), {{"accuracy@best_f1", at.accuracy}, {"f1@best_f1", at.f1}});
  return compared;
}

// The test split's scores, then word counting's on the same rows (runtime/train/baselines.h) and
// whether the model beats it.
template <typename T>
void print_test(runtime::Trainer<T>& trainer, const std::string& test, const std::string& dir,
                RunRecord& record, std::ostream& out) {
  const runtime::Dataset data = trainer.load_data(test);
  const runtime::EvalResult r = trainer.evaluate(data, true);
  runtime::Metrics compared;
  if (trainer.roles().family == runtime::ModelFamily::kTriplet) {
    compared = {{"ordered", r.hit_rate()},
                {"recall@1", runtime::tower_recall_at(r, 1)},
                {"recall@5", runtime::tower_recall_at(r, 5)}};
    out << fmt::format(
        "test ({} triplets, {} distance): loss {:.4f}  ordered {:.4f}  recall@1 {:.4f}  "
        "recall@5 {:.4f}\n",
        r.rows, runtime::distance_name(r.distance), r.loss(), compared[0].second,
        compared[1].second, compared[2].second);
    record.test = {{"rows", static_cast<double>(r.rows)}, {"loss", r.loss()}};
    record.test.insert(record.test.end(), compared.begin(), compared.end());
  } else {
    compared = print_pair_test(trainer, r, dir, record, out);
  }
  out << runtime::baselines_text(
      runtime::word_counting_baselines(trainer.roles(), data, &trainer.train_data()), compared);
}

template <typename T>
int train_as(const graph::Model& model, TrainCommandOptions& o, RunRecord& record, Io& io) {
  // Progress goes to stderr, so stdout holds only results when it is piped or redirected.
  ProgressBar bar(io.err, stream_is_terminal(io.err));
  runtime::TrainObserver observer;
  observer.warning = [&io](const std::string& s) { io.err << "warning: " << s << "\n"; };
  if (!o.quiet) {
    observer.info = [&io](const std::string& s) { io.out << s << "\n"; };
    observer.epoch_start = [&bar](int64_t e, int64_t n, int64_t b) { bar.start_epoch(e, n, b); };
    observer.batch_done = [&bar](int64_t k, int64_t samples, const runtime::Metrics& m) {
      bar.update(k, samples, m);
    };
  }
  const int64_t epochs = model.spec.train.epochs;
  observer.epoch_end = [&bar, &io, epochs](const runtime::EpochLog& log) {
    bar.finish_epoch();
    io.out << epoch_line(log, epochs);
  };
  observer.epoch_saved = [&record](const std::string& dir) { write_run_record(dir, record); };
  // Signals stop training from its first step; before that (reading data) they exit as usual.
  std::optional<StopOnSignal> stop;
  observer.stop_requested = [&stop] { return stop && stop->requested(); };
  runtime::Trainer<T> trainer(model, o.train, observer);
  io.out << fmt::format("model {}: {} trainable parameters, {}, {} epochs of batches of {}\n",
                        model.spec.name, trainer.params().count(true), o.dtype, epochs,
                        model.spec.train.batch_size);
  if (trainer.roles().family == runtime::ModelFamily::kTriplet) {
    record.distance = runtime::distance_name(trainer.roles().distance);
    io.out << fmt::format(
        "triplet metrics compare tower outputs by {} distance, as the loss does\n",
        record.distance);
  }
  runtime::TrainSummary summary;
  try {
    stop.emplace();
    summary = trainer.fit();
  } catch (const runtime::TrainingInterrupted& e) {
    bar.finish_epoch();
    io.err << e.what() << "\n";
    if (!e.saved.empty())
      io.err << fmt::format("continue with: twinflow train {} --resume {}\n", o.spec, e.saved);
    return 128 + StopOnSignal::received();
  }
  if (summary.best_epoch > 0)
    io.out << runtime::best_epoch_line(trainer.state(), trainer.keeps_best()) << "\n";
  if (!model.spec.train.test.empty())
    print_test(trainer, model.spec.train.test, o.train.out_dir, record, io.out);
  else if (o.data && !o.quiet)
    io.err << "no test scores: --data trains on other data than the spec's, so the spec's test "
              "file is not scored; --test FILE scores one\n";
  if (runtime::world().is_root() && std::filesystem::is_directory(o.train.out_dir))
    write_run_record(o.train.out_dir, record);
  io.out << fmt::format("saved to {}\n", o.train.out_dir);
  return 0;
}

// Where the run goes, checked before any data is read: a resumed run must be of this spec,
// and a directory written into must hold nothing a run of this spec may not replace.
void choose_out_dir(TrainCommandOptions& o, const graph::Model& model) {
  const std::string& resume = o.train.resume_dir;
  if (!resume.empty()) runtime::require_same_spec(resume, model);
  if (o.out)
    o.train.out_dir = *o.out;
  else if (!resume.empty())
    o.train.out_dir = resume;
  else
    o.train.out_dir = runtime::next_run_dir("runs", model.spec.name);
  if (o.train.out_dir != resume) runtime::prepare_out_dir(o.train.out_dir, model, o.overwrite);
}

int run(TrainCommandOptions& o, Io& io) {
  std::optional<graph::Model> model =
      load_model(o.spec, io.err, [&o](graph::ModelSpec& spec) { apply_overrides(o, spec); });
  if (!model) return 1;
  // Every process checks the directory, and takes the first process's choice of it.
  runtime::Communicator& processes = runtime::world();
  runtime::together(processes, [&] { choose_out_dir(o, *model); });
  o.train.out_dir = processes.broadcast(o.train.out_dir, 0);
  o.train.processes = &processes;
  RunRecord record = start_record(model->spec, o.train, o.dtype, io.args);
  if (o.dtype == "float64") return train_as<double>(*model, o, record, io);
  return train_as<float>(*model, o, record, io);
}

}  // namespace

void add_train_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<TrainCommandOptions>();
  CLI::App* cmd = app.add_subcommand("train",
                                     "Train a model; the spec's train: section, "
                                     "overridden by the options, says how");
  cmd->add_option("spec", o->spec, "Model spec file (YAML)")->required();
  cmd->add_option("--data", o->data, "Training data (TSV; columns named as the inputs)");
  cmd->add_option("--val", o->val, "Validation data, scored after each epoch");
  cmd->add_option("--test", o->test,
                  "Test data, scored once after training (default: the spec's test file, "
                  "unless --data names other training data)");
  cmd->add_option("--epochs", o->epochs, "Epochs")->check(int_range(1, kMaxCount));
  cmd->add_option("--batch-size", o->batch_size, "Rows per optimizer step")
      ->check(int_range(1, kMaxCount));
  cmd->add_option("--optimizer", o->optimizer,
                  "sgd, adam, lazy_adam, rmsprop or adagrad (its defaults)")
      ->check(CLI::IsMember(
          std::vector<std::string>(graph::kOptimizers.begin(), graph::kOptimizers.end())));
  cmd->add_option("--lr", o->lr, "Learning rate")->check(above_zero());
  cmd->add_option("--seed", o->seed, "Seed of the parameters, the shuffling and dropout")
      ->check(int_range(0, std::numeric_limits<int64_t>::max()));
  CLI::Option* init = cmd->add_option(
      "--init", o->train.init_weights,
      "Start from these weights (safetensors): every parameter of the model, nothing else");
  cmd->add_flag("--init-partial", o->train.init_partial,
                "Let --init lack parameters (kept at their initial values) or hold others")
      ->needs(init);
  cmd->add_option("--vocab", o->train.vocab_file, "Vocabulary file (default: built from --data)");
  cmd->add_option("--dtype", o->dtype, "float32 or float64 (bit-for-bit repeatable)")
      ->capture_default_str()
      ->check(CLI::IsMember({"float32", "float64"}));
  cmd->add_flag("--no-shuffle", o->no_shuffle, "Visit the rows in file order");
  cmd->add_option("--accumulate", o->train.accumulate,
                  "Split each batch into N micro-batches (same step, less memory)")
      ->capture_default_str()
      ->check(int_range(1, 4096));
  cmd->add_option("--out", o->out,
                  "Model directory to write: new, empty or holding a run of this spec "
                  "(default: a new runs/<model name>/<n>)");
  cmd->add_flag("--quiet,-q", o->quiet,
                "No progress bar and no notes: only the epoch lines and the results");
  cmd->add_flag("--overwrite", o->overwrite,
                "Write into --out even when it holds other files (its run files are replaced)");
  CLI::Option* resume =
      cmd->add_option("--resume", o->train.resume_dir, "Continue the run saved in this directory");
  cmd->add_flag("--resume-anyway", o->train.resume_anyway,
                "Resume although the spec, data or vocabulary changed since the run was saved")
      ->needs(resume);
  cmd->add_flag("--skip-bad-rows", o->train.skip_bad_rows,
                "Leave malformed rows out (counted) instead of stopping");
  // An exception from run() reaches run_cli, which prints it as an error and exits 1. Under
  // mpirun the first process alone speaks, errors of the others included (runtime/dist).
  cmd->callback([o, &io] {
    if (runtime::world().is_root()) {
      io.status = run(*o, io);
      return;
    }
    std::ostringstream ignored;
    Io silent{io.in, ignored, ignored, 0, io.args};
    try {
      io.status = run(*o, silent);
    } catch (const std::exception&) {
      io.status = 1;
    }
  });
}

}  // namespace twinflow::cli
