// `twinflow eval DIR --data F`: a saved model's loss and metrics on a data file.
//   pair models     loss, accuracy at 0.5, ROC-AUC, and F1 at the threshold that maximises it
//                   on this file
//   triplet models  loss, the fraction of triplets ordered right (d(a, p) < d(a, n)), and
//                   recall@1 and @5 of each anchor's positive among all the file's positives
#include <fmt/format.h>

#include <memory>
#include <string>

#include "runtime/evaluation.h"
#include "runtime/input_columns.h"
#include "runtime/metrics.h"
#include "runtime/tsv_reader.h"
#include "tools/cli/commands.h"
#include "tools/cli/saved_model.h"

namespace twinflow::cli {

namespace {

struct EvalOptions {
  std::string dir;
  std::string data;
  int64_t batch_size = 0;
  bool skip_bad_rows = false;
};

void print_pairs(const runtime::ModelRoles& roles, const runtime::EvalResult& r,
                 std::ostream& out) {
  out << fmt::format("pairs {}\nloss {:.6f}\n", r.rows, r.loss());
  if (roles.has_threshold) out << fmt::format("accuracy {:.6f}\n", r.hit_rate());
  out << fmt::format("roc_auc {:.6f}\n", runtime::roc_auc(r.scores, r.labels));
  const runtime::ThresholdChoice best = runtime::best_f1_threshold(r.scores, r.labels);
  out << fmt::format(
      "best_f1 {:.6f} at threshold {:.6f} (precision {:.4f}, recall {:.4f}, "
      "accuracy {:.4f})\n",
      best.f1, best.threshold, best.precision, best.recall, best.accuracy);
}

void print_triplets(const runtime::EvalResult& r, std::ostream& out) {
  out << fmt::format("triplets {}\nloss {:.6f}\nordered {:.6f}\nrecall@1 {:.6f}\nrecall@5 {:.6f}\n",
                     r.rows, r.loss(), r.hit_rate(), runtime::tower_recall_at(r, 1),
                     runtime::tower_recall_at(r, 5));
}

int run(const EvalOptions& o, Io& io) {
  return with_saved_model(
      o.dir, [&](const runtime::SavedModel& saved, const runtime::ModelRoles& roles, auto& params) {
        runtime::Dataset data =
            runtime::read_tsv(o.data, runtime::input_columns(saved.model.spec),
                              runtime::TsvOptions{.skip_bad_rows = o.skip_bad_rows});
        data.encode(saved.vocab);
        if (data.skipped_rows > 0)
          io.err << fmt::format("warning: skipped {} bad rows\n", data.skipped_rows);
        runtime::Executor executor(*saved.model.graph, params);
        const int64_t batch = o.batch_size > 0 ? o.batch_size : saved.model.spec.train.batch_size;
        const bool triplet = roles.family == runtime::ModelFamily::kTriplet;
        const runtime::EvalResult r = runtime::evaluate(roles, executor, data, batch, triplet);
        if (triplet)
          print_triplets(r, io.out);
        else
          print_pairs(roles, r, io.out);
        return 0;
      });
}

}  // namespace

void add_eval_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Score a saved model on a data file");
  cmd->add_option("dir", o->dir, "Saved model directory (twinflow train --out)")->required();
  cmd->add_option("--data", o->data, "Data file (TSV; columns named as the inputs)")->required();
  cmd->add_option("--batch-size", o->batch_size, "Rows per forward pass (0: the spec's)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--skip-bad-rows", o->skip_bad_rows, "Leave malformed rows out (counted)");
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli
