// `twinflow eval DIR --data F`: a saved model's loss and metrics on a data file.
//   pair models     loss, accuracy at the model's decision threshold (tools/cli/run_record.h:
//                   the one chosen on the validation split, saved with the model) and where it
//                   comes from, ROC-AUC, and F1 at the threshold that maximises it on this file
//                   (an upper bound: that threshold is tuned on the rows it scores)
//   triplet models  loss, the fraction of triplets ordered right (d(a, p) < d(a, n)), and
//                   recall@1 and @5 of each anchor's positive among all the file's positives,
//                   d being the distance the loss measures (named on each line)
//   --baselines     then word counting on the same file (runtime/train/baselines.h), its threshold
//                   and IDF from the spec's train.data as `train` prints them; without that
//                   file, ROC-AUC only and the IDF of this file. The model is compared at its
//                   decision threshold, as `train` compares it, so both give one verdict
//   --json          the same as one JSON document (tools/cli/eval_json.h); notes go to stderr
// `twinflow eval DIR --retrieval F [-k 1,5,10]`: recall@k and MRR of finding each query's
// target among all targets (tools/cli/eval_retrieval.h).
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "graph/ir/errors.h"
#include "runtime/data/input_columns.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/saved/saved_model.h"
#include "runtime/text/data_error.h"
#include "runtime/train/baselines.h"
#include "runtime/train/evaluation.h"
#include "runtime/train/metrics.h"
#include "tools/cli/commands.h"
#include "tools/cli/eval_json.h"
#include "tools/cli/eval_retrieval.h"
#include "tools/cli/option_checks.h"
#include "tools/cli/run_record.h"

namespace twinflow::cli {

namespace {

struct EvalOptions {
  std::string dir;
  std::string data;
  int64_t batch_size = 0;
  bool skip_bad_rows = false;
  bool baselines = false;
  bool json = false;
  std::string retrieval;
  std::vector<int64_t> ks{1, 5, 10};
};

void print_pairs(const runtime::EvalResult& r, const DecisionThreshold& t, std::ostream& out) {
  out << fmt::format("pairs {}\nloss {:.6f}\n", r.rows, r.loss());
  if (t.value)
    out << fmt::format("accuracy {:.6f}\nthreshold {:.6f} ({})\n",
                       runtime::accuracy_at(r.scores, r.labels, *t.value), *t.value, t.source);
  else
    out << fmt::format("threshold {}\n", t.source);
  out << fmt::format("roc_auc {:.6f}\n", runtime::roc_auc(r.scores, r.labels));
  const runtime::ThresholdChoice best = runtime::best_f1_threshold(r.scores, r.labels);
  out << fmt::format(
      "best_f1 {:.6f} at threshold {:.6f} (precision {:.4f}, recall {:.4f}, accuracy {:.4f}; "
      "the threshold is tuned on this file: an upper bound)\n",
      best.f1, best.threshold, best.precision, best.recall, best.accuracy);
}

// Each distance-based line names the distance, the loss's: "ordered (cosine distance) 0.79".
void print_triplets(const runtime::EvalResult& r, std::ostream& out) {
  const std::string_view d = runtime::distance_name(r.distance);
  out << fmt::format("triplets {}\nloss {:.6f}\n", r.rows, r.loss());
  out << fmt::format("ordered ({} distance) {:.6f}\n", d, r.hit_rate());
  out << fmt::format("recall@1 ({} distance) {:.6f}\n", d, runtime::tower_recall_at(r, 1));
  out << fmt::format("recall@5 ({} distance) {:.6f}\n", d, runtime::tower_recall_at(r, 5));
}

// The training file the saved spec names, or nothing (said on out) when it cannot be read:
// the baselines then go without a threshold.
std::optional<runtime::Dataset> training_data(const EvalOptions& o, const graph::ModelSpec& spec,
                                              std::ostream& out) {
  const std::string& file = spec.train.data;
  const char* without = "so no threshold (ROC-AUC only) and TF-IDF's IDF from this file";
  if (file.empty() || !std::filesystem::exists(file)) {
    out << fmt::format("baselines: the training file '{}' is not available, {}\n", file, without);
    return std::nullopt;
  }
  try {
    return runtime::read_tsv(file, runtime::input_columns(spec),
                             runtime::TsvOptions{.skip_bad_rows = o.skip_bad_rows});
  } catch (const runtime::DataError& e) {
    out << fmt::format("baselines: cannot read the training file ({}), {}\n", e.what(), without);
    return std::nullopt;
  }
}

// The baselines' lines, or with --json their JSON under "baselines" of doc (notes go to err).
void add_baselines(const EvalOptions& o, const graph::ModelSpec& spec,
                   const runtime::ModelRoles& roles, const runtime::Dataset& data,
                   const runtime::EvalResult& r, const DecisionThreshold& t, Io& io,
                   nlohmann::ordered_json& doc) {
  const std::optional<runtime::Dataset> train = training_data(o, spec, o.json ? io.err : io.out);
  std::vector<std::pair<std::string, double>> model;
  if (roles.family == runtime::ModelFamily::kTriplet) {
    model = {{"ordered", r.hit_rate()},
             {"recall@1", runtime::tower_recall_at(r, 1)},
             {"recall@5", runtime::tower_recall_at(r, 5)}};
  } else {
    model = {{"ROC-AUC", runtime::roc_auc(r.scores, r.labels)}};
    if (t.value) model.emplace_back("accuracy", runtime::accuracy_at(r.scores, r.labels, *t.value));
  }
  const runtime::BaselineReport report =
      runtime::word_counting_baselines(roles, data, train ? &*train : nullptr);
  if (o.json)
    doc["baselines"] = baselines_json(report, model);
  else
    io.out << runtime::baselines_text(report, model);
}

int run(const EvalOptions& o, Io& io) {
  if (!o.retrieval.empty())
    return eval_retrieval({.dir = o.dir,
                           .file = o.retrieval,
                           .ks = o.ks,
                           .batch_size = o.batch_size,
                           .skip_bad_rows = o.skip_bad_rows,
                           .json = o.json},
                          io);
  if (o.data.empty()) throw graph::RuntimeInputError("give --data FILE or --retrieval FILE");
  return runtime::with_saved_model(
      o.dir, [&](const runtime::SavedModel& saved, const runtime::ModelRoles& roles, auto& params) {
        if (roles.family == runtime::ModelFamily::kTower)
          throw graph::RuntimeInputError(fmt::format(
              "{} holds a tower (one text input, no loss): there is no loss to evaluate; "
              "`twinflow eval {} --retrieval FILE` ranks targets by its vectors",
              o.dir, o.dir));
        runtime::Dataset data =
            runtime::read_tsv(o.data, runtime::input_columns(saved.model.spec),
                              runtime::TsvOptions{.skip_bad_rows = o.skip_bad_rows});
        data.encode(saved.vocab, saved.model.subword_inputs);
        if (data.skipped_rows > 0)
          io.err << fmt::format("warning: skipped {} bad rows\n", data.skipped_rows);
        runtime::Executor executor(*saved.model.graph, params,
                                   runtime::stacking_of(saved.model.spec.train));
        const int64_t batch = o.batch_size > 0 ? o.batch_size : saved.model.spec.train.batch_size;
        const bool triplet = roles.family == runtime::ModelFamily::kTriplet;
        const runtime::EvalResult r = runtime::evaluate(roles, executor, data, batch, triplet);
        const DecisionThreshold t = decision_threshold(o.dir, saved.state, roles);
        nlohmann::ordered_json doc;
        if (o.json)
          doc = eval_json(roles, data, r, t);
        else if (triplet)
          print_triplets(r, io.out);
        else
          print_pairs(r, t, io.out);
        if (o.baselines) add_baselines(o, saved.model.spec, roles, data, r, t, io, doc);
        if (o.json) io.out << doc.dump(2) << "\n";
        return 0;
      });
}

}  // namespace

void add_eval_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Score a saved model on a data file");
  cmd->add_option("dir", o->dir, "Saved model directory (twinflow train --out)")->required();
  CLI::Option* data =
      cmd->add_option("--data", o->data, "Data file (TSV; columns named as the inputs)");
  CLI::Option* retrieval =
      cmd->add_option("--retrieval", o->retrieval,
                      "Retrieval file (TSV: query, target, optional id): recall@k and MRR of "
                      "finding each query's target among all targets")
          ->excludes(data);
  cmd->add_option("-k", o->ks, "With --retrieval: the k of recall@k (comma-separated)")
      ->delimiter(',')
      ->capture_default_str()
      ->check(int_range(1, kMaxCount))
      ->needs(retrieval);
  cmd->add_option("--batch-size", o->batch_size, "Rows per forward pass (0: the spec's)")
      ->check(int_range(0, kMaxCount));
  cmd->add_flag("--skip-bad-rows", o->skip_bad_rows, "Leave malformed rows out (counted)");
  cmd->add_flag("--baselines", o->baselines,
                "Also score word counting (Jaccard, TF-IDF cosine) on this file and say whether "
                "the model beats it; threshold and IDF from the spec's train.data (without it: "
                "ROC-AUC only)")
      ->excludes(retrieval);
  cmd->add_flag("--json", o->json,
                "Print one JSON document (keys in tools/cli/eval_json.h); notes go to stderr");
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli
