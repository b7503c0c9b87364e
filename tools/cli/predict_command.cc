// `twinflow predict DIR "text a" "text b"` and `twinflow predict DIR --data F`: a pair model's
// score for pairs of texts (runtime/saved/inference.h: its own output, e.g. the sigmoid of the
// cosine Siamese network; −distance for a contrastive model; higher = more alike), and the
// decision score ≥ threshold, 1 (alike) or 0. The threshold is the model's decision threshold
// (tools/cli/run_record.h: the one `train` chose on the validation split), else 0.5 for a model
// with a sigmoid output, else none (a contrastive model: no decision). Where it came from is
// always said. Triplet models are refused, pointing to `similar` and `embed`.
//
// Two texts: "score S" and "decision D (threshold T: SOURCE)" lines. --data F: a TSV whose
// columns are named as the model's text inputs (the label column may be there or not), printed
// as TSV "line<TAB>score<TAB>decision" (line in F, from 1), the threshold said on stderr.
// --json: one document, keys in this order:
//   {"threshold" (null: none), "threshold_source", "file" (null for two texts), "rows",
//    "skipped_rows", "predictions": [{"line" (null for two texts), "score", "decision"
//    (1, 0, or null without a threshold)}]}
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "graph/ir/errors.h"
#include "runtime/data/input_columns.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/saved/inference.h"
#include "runtime/saved/saved_model.h"
#include "tools/cli/commands.h"
#include "tools/cli/json.h"
#include "tools/cli/option_checks.h"
#include "tools/cli/run_record.h"

namespace twinflow::cli {

namespace {

struct PredictOptions {
  std::string dir;
  std::vector<std::string> texts;
  std::string data;
  int64_t batch_size = 0;
  bool skip_bad_rows = false;
  bool json = false;
};

// The pairs to score: the two texts given, or the rows of --data.
struct Pairs {
  std::vector<std::string> firsts, seconds;
  std::optional<runtime::Dataset> data;  // with --data
};

Pairs read_pairs(const PredictOptions& o, const graph::ModelSpec& spec,
                 const runtime::ModelRoles& roles) {
  Pairs p;
  if (o.data.empty()) {
    p.firsts = {o.texts[0]};
    p.seconds = {o.texts[1]};
    return p;
  }
  std::vector<runtime::ColumnSpec> columns = runtime::input_columns(spec);
  const std::vector<std::string> header = runtime::read_tsv_header(o.data);
  if (roles.target && std::find(header.begin(), header.end(), *roles.target) == header.end())
    std::erase_if(columns, [&](const runtime::ColumnSpec& c) { return c.name == *roles.target; });
  p.data = runtime::read_tsv(o.data, columns, {.skip_bad_rows = o.skip_bad_rows});
  p.firsts = p.data->column(roles.text_inputs[0]).texts();
  p.seconds = p.data->column(roles.text_inputs[1]).texts();
  return p;
}

json decision_json(const DecisionThreshold& t, double score) {
  return t.value ? json(score >= *t.value ? 1 : 0) : json(nullptr);
}

void print_json(const Pairs& p, const DecisionThreshold& t, std::span<const double> scores,
                std::ostream& out) {
  json predictions = json::array();
  for (size_t i = 0; i < scores.size(); ++i)
    predictions.push_back({{"line", p.data ? json(p.data->lines[i]) : json(nullptr)},
                           {"score", scores[i]},
                           {"decision", decision_json(t, scores[i])}});
  const json doc = {
      {"threshold", t.value ? json(*t.value) : json(nullptr)}, {"threshold_source", t.source},
      {"file", p.data ? json(p.data->file) : json(nullptr)},   {"rows", scores.size()},
      {"skipped_rows", p.data ? p.data->skipped_rows : 0},     {"predictions", predictions}};
  out << doc.dump(2) << "\n";
}

void print_text(const Pairs& p, const DecisionThreshold& t, std::span<const double> scores,
                Io& io) {
  const std::string threshold =
      t.value ? fmt::format("threshold {:.6f}: {}", *t.value, t.source) : t.source;
  const auto decision = [&](double s) {
    return t.value ? std::string(s >= *t.value ? "1" : "0") : std::string("-");
  };
  if (!p.data) {
    io.out << fmt::format("score {:.6f}\ndecision {} ({})\n", scores[0], decision(scores[0]),
                          threshold);
    return;
  }
  io.err << fmt::format("decisions at {}\n", threshold);
  io.out << "line\tscore\tdecision\n";
  for (size_t i = 0; i < scores.size(); ++i)
    io.out << fmt::format("{}\t{:.6f}\t{}\n", p.data->lines[i], scores[i], decision(scores[i]));
}

int run(const PredictOptions& o, Io& io) {
  if (o.data.empty() == o.texts.empty())
    throw graph::RuntimeInputError("give two texts, or --data FILE of pairs");
  if (!o.texts.empty() && o.texts.size() != 2)
    throw graph::RuntimeInputError(
        fmt::format("predict scores one pair: give two texts, not {}", o.texts.size()));
  return runtime::with_saved_model(
      o.dir, [&](const runtime::SavedModel& saved, const runtime::ModelRoles& roles, auto& params) {
        if (roles.family != runtime::ModelFamily::kPair)
          throw graph::RuntimeInputError(fmt::format(
              "{} holds a {}; predict is for pair models. "
              "To rank texts against a query use `twinflow similar {} --query TEXT --corpus FILE`; "
              "for the vectors, `twinflow embed {} --text TEXT`",
              o.dir,
              roles.family == runtime::ModelFamily::kTriplet
                  ? "triplet model (anchor, positive, negative)"
                  : "tower (one text input)",
              o.dir, o.dir));
        const Pairs p = read_pairs(o, saved.model.spec, roles);
        if (p.data && p.data->skipped_rows > 0)
          io.err << fmt::format("warning: skipped {} bad rows\n", p.data->skipped_rows);
        const int64_t batch = o.batch_size > 0 ? o.batch_size : saved.model.spec.train.batch_size;
        const std::vector<double> scores = runtime::pair_scores(saved.model, roles, saved.vocab,
                                                                params, p.firsts, p.seconds, batch);
        const DecisionThreshold t = decision_threshold(o.dir, saved.state, roles);
        if (o.json)
          print_json(p, t, scores, io.out);
        else
          print_text(p, t, scores, io);
        return 0;
      });
}

}  // namespace

void add_predict_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<PredictOptions>();
  CLI::App* cmd = app.add_subcommand("predict", "Score pairs of texts with a saved pair model");
  cmd->add_option("dir", o->dir, "Saved model directory (twinflow train --out)")->required();
  cmd->add_option("texts", o->texts, "The two texts of a pair");
  cmd->add_option("--data", o->data,
                  "A TSV of pairs (columns named as the model's text inputs; a label column "
                  "may be present)");
  cmd->add_option("--batch-size", o->batch_size, "Rows per forward pass (0: the spec's)")
      ->check(int_range(0, kMaxCount));
  cmd->add_flag("--skip-bad-rows", o->skip_bad_rows, "Leave malformed rows out (counted)");
  cmd->add_flag("--json", o->json,
                "Print one JSON document (keys in tools/cli/predict_command.cc)");
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli
