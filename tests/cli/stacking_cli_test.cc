// `train: stack_shared: true` end to end: `check` says it is on and what it stacks, and a run
// trained with it (float64, dropout on) logs the losses and validation figures of the same run
// without it.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/run_cli.h"
#include "tests/cli/tiny_pairs.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {
namespace {

// Every figure of every epoch in a run's log.jsonl but its time (null: a figure not taken).
std::vector<double> logged_figures(const std::string& dir) {
  std::istringstream lines(read_all(dir + "/log.jsonl"));
  std::vector<double> figures;
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json epoch = nlohmann::json::parse(line);
    for (const auto& [key, value] : epoch.items())
      if (key != "seconds" && value.is_number()) figures.push_back(value.get<double>());
  }
  return figures;
}

TEST_SUITE("cli.stacking") {
  TEST_CASE("a run with stack_shared logs what the same run without it logs") {
    const TinyPairs pairs;
    std::string text = read_all(pairs.spec);
    replace_once(text, "units: 8}", "units: 8, dropout: 0.3, recurrent_dropout: 0.2}");
    pairs.tmp.write("tiny.yaml", text);
    replace_once(text, "train:\n", "train:\n  stack_shared: true\n");
    const std::string stacked_spec = pairs.tmp.write("stacked.yaml", text);

    const CliRun check = run_twinflow({"check", stacked_spec});
    REQUIRE_MESSAGE(check.status == 0, check.err);
    CHECK(check.out.find("Shared-branch batching (on: train: stack_shared: true):\n"
                         "  emb (Embedding): x1.emb + x2.emb as one call\n") != std::string::npos);

    const std::string alone = pairs.tmp.path("alone"), stacked = pairs.tmp.path("stacked");
    const CliRun a =
        run_twinflow({"train", pairs.spec, "--dtype", "float64", "--out", alone, "--quiet"});
    REQUIRE_MESSAGE(a.status == 0, a.err);
    const CliRun s =
        run_twinflow({"train", stacked_spec, "--dtype", "float64", "--out", stacked, "--quiet"});
    REQUIRE_MESSAGE(s.status == 0, s.err);
    const std::vector<double> x = logged_figures(alone), y = logged_figures(stacked);
    REQUIRE(x.size() == y.size());
    REQUIRE(x.size() >= 10);
    for (size_t i = 0; i < x.size(); ++i) {
      CAPTURE(i);
      CHECK(std::abs(x[i] - y[i]) <= 1e-9 * std::max(1.0, std::abs(x[i])));
    }
  }
}

}  // namespace
}  // namespace twinflow::testing
