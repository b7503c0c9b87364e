// `twinflow similar DIR --query "..." --corpus F [-k 5]`: the k lines of the corpus (a text
// file, one text per line) the model finds most like the query, best first, with the score
// (runtime/saved/inference.h: a pair model's own prediction on (query, line); for a triplet model
// the negated distance between tower outputs, as the loss measures it). Ties keep the corpus
// order.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <string>

#include "runtime/saved/inference.h"
#include "runtime/saved/saved_model.h"
#include "tools/cli/commands.h"
#include "tools/cli/option_checks.h"

namespace twinflow::cli {

namespace {

struct SimilarOptions {
  std::string dir;
  std::string query;
  std::string corpus;
  int64_t k = 5;
};

int run(const SimilarOptions& o, Io& io) {
  const std::vector<std::string> texts = runtime::read_text_lines(o.corpus);
  return runtime::with_saved_model(o.dir, [&](const runtime::SavedModel& saved,
                                              const runtime::ModelRoles& roles, auto& params) {
    const std::vector<double> scores = runtime::similarity_scores(
        saved.model, roles, saved.vocab, params, o.query, texts, saved.model.spec.train.batch_size);
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    const size_t k = std::min(order.size(), static_cast<size_t>(o.k));
    io.out << fmt::format(
        "{} of {} lines by {}\n", k, texts.size(),
        roles.family == runtime::ModelFamily::kTriplet
            ? fmt::format("-{} distance (the loss's)", runtime::distance_name(roles.distance))
            : std::string("the model's score"));
    for (size_t i = 0; i < k; ++i)
      io.out << fmt::format("{}\t{:.6f}\t{}\n", i + 1, scores[order[i]], texts[order[i]]);
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
  cmd->add_option("--corpus", o->corpus, "A file of texts, one per line")->required();
  cmd->add_option("-k", o->k, "How many to show")
      ->capture_default_str()
      ->check(int_range(1, kMaxCount));
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli
