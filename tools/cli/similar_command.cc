// `twinflow similar DIR --query "..." --corpus F [-k 5] [--json]`: the k lines of the corpus (a
// text file, one text per line; `-` reads the standard input) the model finds most like the
// query, best first, each with its line number in the corpus (from 1, blank lines counted, as
// editors number them) and the score (runtime/saved/inference.h: a pair model's own prediction
// on (query, line); for a triplet model the negated distance between tower outputs, as the loss
// measures it). Ties keep the corpus order.
//
// A pair model also says which hits it finds alike: score ≥ its decision threshold
// (tools/cli/run_record.h, the one eval and predict use), named in the heading.
//
// Text: a heading, then "rank<TAB>line<TAB>score<TAB>text" per hit.
// --json: one document, keys in this order:
//   {"query", "corpus" (the path, or "-"), "texts" (non-blank lines read),
//    "score" ("the model's score" or "-cosine distance (the loss's)"),
//    "distance" (triplet models: "cosine", "Euclidean", "squared Euclidean"; else null),
//    "threshold" (pair models' decision threshold; else null), "threshold_source",
//    "hits": [{"rank", "line", "score", "alike" (score ≥ threshold; null without one), "text"}]}
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <string>

#include "runtime/saved/inference.h"
#include "runtime/saved/saved_model.h"
#include "tools/cli/commands.h"
#include "tools/cli/json.h"
#include "tools/cli/option_checks.h"
#include "tools/cli/run_record.h"

namespace twinflow::cli {

namespace {

struct SimilarOptions {
  std::string dir;
  std::string query;
  std::string corpus;
  int64_t k = 5;
  bool json = false;
};

runtime::NumberedTexts read_corpus(const std::string& corpus, std::istream& in) {
  std::optional<runtime::LineReader> reader;
  if (corpus == "-")
    reader.emplace(in, "<stdin>");
  else
    reader.emplace(corpus);
  return runtime::read_numbered_texts(*reader);
}

int run(const SimilarOptions& o, Io& io) {
  const runtime::NumberedTexts corpus = read_corpus(o.corpus, io.in);
  return runtime::with_saved_model(o.dir, [&](const runtime::SavedModel& saved,
                                              const runtime::ModelRoles& roles, auto& params) {
    const std::vector<double> scores =
        runtime::similarity_scores(saved.model, roles, saved.vocab, params, o.query, corpus.texts,
                                   saved.model.spec.train.batch_size);
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    const size_t k = std::min(order.size(), static_cast<size_t>(o.k));
    const bool triplet = roles.family != runtime::ModelFamily::kPair;
    const std::string score_name =
        triplet ? fmt::format(
                      "-{} distance ({})", runtime::distance_name(roles.distance),
                      roles.family == runtime::ModelFamily::kTower ? "the spec's" : "the loss's")
                : std::string("the model's score");
    const DecisionThreshold t = decision_threshold(o.dir, saved.state, roles);
    if (!o.json) {
      io.out << fmt::format(
          "{} of {} lines by {}{}\n", k, corpus.texts.size(), score_name,
          t.value ? fmt::format("; alike at a score of at least {:.4f} ({})", *t.value, t.source)
                  : "");
      for (size_t i = 0; i < k; ++i)
        io.out << fmt::format("{}\t{}\t{:.6f}\t{}\n", i + 1, corpus.lines[order[i]],
                              scores[order[i]], corpus.texts[order[i]]);
      return 0;
    }
    json hits = json::array();
    for (size_t i = 0; i < k; ++i)
      hits.push_back({{"rank", i + 1},
                      {"line", corpus.lines[order[i]]},
                      {"score", scores[order[i]]},
                      {"alike", t.value ? json(scores[order[i]] >= *t.value) : json(nullptr)},
                      {"text", corpus.texts[order[i]]}});
    const json doc = {
        {"query", o.query},
        {"corpus", o.corpus},
        {"texts", corpus.texts.size()},
        {"score", score_name},
        {"distance", triplet ? json(runtime::distance_name(roles.distance)) : json(nullptr)},
        {"threshold", t.value ? json(*t.value) : json(nullptr)},
        {"threshold_source", t.source},
        {"hits", hits}};
    io.out << doc.dump(2) << "\n";
    return 0;
  });
}

}  // namespace

void add_similar_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<SimilarOptions>();
  CLI::App* cmd =
      app.add_subcommand("similar", "Find the corpus lines most like a query, by the model");
  cmd->add_option("dir", o->dir, "Saved model directory (twinflow train --out)")->required();
  cmd->add_option("--query", o->query, "The text to match")->required();
  cmd->add_option("--corpus", o->corpus, "A file of texts, one per line (-: the standard input)")
      ->required();
  cmd->add_option("-k", o->k, "How many to show")
      ->capture_default_str()
      ->check(int_range(1, kMaxCount));
  cmd->add_flag("--json", o->json,
                "Print one JSON document (keys in tools/cli/similar_command.cc)");
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli
