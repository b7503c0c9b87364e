// The commands as scripts use them, on the tiny trained model of tests/cli/tiny_pairs.h: eval
// and similar with --json, similar's line numbers and corpus on stdin, predict on one pair and
// on a file, checked against eval's own numbers.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/saved/model_dir.h"
#include "tests/cli/run_cli.h"
#include "tests/cli/tiny_pairs.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {

namespace {

using json = nlohmann::ordered_json;

std::vector<std::string> keys_of(const json& j) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  return keys;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, '\t');) fields.push_back(f);
  return fields;
}

// ROC-AUC by counting every (positive, negative) pair, ties one half.
double auc_by_pairs(const std::vector<double>& scores, const std::vector<int>& labels) {
  double wins = 0.0, pairs = 0.0;
  for (size_t i = 0; i < scores.size(); ++i)
    for (size_t j = 0; j < scores.size(); ++j)
      if (labels[i] == 1 && labels[j] == 0) {
        wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
        pairs += 1.0;
      }
  return wins / pairs;
}

}  // namespace

TEST_SUITE("cli.scripting") {
  TEST_CASE("eval --json prints one document with eval's numbers") {
    const TinyPairs& s = trained_tiny_pairs();
    const std::string dir = s.tmp.path("model");
    const std::string val = s.tmp.path("val.tsv");
    const CliRun text = run_twinflow({"eval", dir, "--data", val});
    const CliRun r = run_twinflow({"eval", dir, "--data", val, "--json", "--baselines"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const json j = json::parse(r.out);  // nothing else on stdout
    CHECK(keys_of(j) == std::vector<std::string>{
                            "file", "rows", "skipped_rows", "skipped", "family", "loss", "roc_auc",
                            "accuracy", "threshold", "threshold_source", "best_f1", "baselines"});
    CHECK(j["family"] == "pair");
    CHECK(j["rows"] == 64);
    CHECK(j["skipped_rows"] == 0);
    CHECK(j["loss"].get<double>() == doctest::Approx(value_after(text.out, "loss")));
    CHECK(j["roc_auc"].get<double>() == doctest::Approx(value_after(text.out, "roc_auc")));
    CHECK(j["accuracy"].get<double>() == doctest::Approx(value_after(text.out, "accuracy")));
    CHECK(j["best_f1"]["f1"].get<double>() == doctest::Approx(value_after(text.out, "best_f1")));
    const json& b = j["baselines"];
    REQUIRE(b["results"].size() == 2);
    CHECK(b["results"][0]["name"] == "Jaccard");
    CHECK(b["results"][0]["metrics"].contains("ROC-AUC"));

    std::string bad = read_all(val);
    bad += "only one field\n";
    s.tmp.write("bad_val.tsv", bad);
    const CliRun skipped = run_twinflow(
        {"eval", dir, "--data", s.tmp.path("bad_val.tsv"), "--json", "--skip-bad-rows"});
    REQUIRE_MESSAGE(skipped.status == 0, skipped.err);
    const json k = json::parse(skipped.out);
    CHECK(k["skipped_rows"] == 1);
    CHECK(k["skipped"][0].get<std::string>().find("bad_val.tsv:66:") != std::string::npos);
  }

  TEST_CASE("similar numbers each hit by its corpus line and reads the corpus from stdin") {
    const TinyPairs& s = trained_tiny_pairs();
    const std::string dir = s.tmp.path("model");
    // Blank lines count, as an editor counts them: "grace" is on line 4.
    const std::string corpus =
        "In the beginning was the Word\n\nJesus wept\ngrace be with you all\n\nAmen\n";
    const std::string file = s.tmp.write("corpus.txt", corpus);
    const std::string query = "grace be with you all";
    const CliRun r = run_twinflow({"similar", dir, "--query", query, "--corpus", file, "-k", "4"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    std::istringstream lines(r.out);
    std::string line;
    std::getline(lines, line);  // the heading
    const double threshold = *runtime::read_state(dir).threshold;
    CHECK(line == fmt::format("4 of 4 lines by the model's score; alike at a score of at least "
                              "{:.4f} (the validation split's best-accuracy threshold, saved "
                              "with the model)",
                              threshold));
    std::vector<std::string> numbers;
    while (std::getline(lines, line)) {
      const std::vector<std::string> f = fields_of(line);
      REQUIRE(f.size() == 4);  // rank, line, score, text
      numbers.push_back(f[1]);
      const std::string expected = f[1] == "1"   ? "In the beginning was the Word"
                                   : f[1] == "3" ? "Jesus wept"
                                   : f[1] == "4" ? query
                                                 : "Amen";
      CHECK(f[3] == expected);
      if (f[0] == "1") CHECK(f[1] == "4");  // the query itself ranks first
    }
    std::sort(numbers.begin(), numbers.end());
    CHECK(numbers == std::vector<std::string>{"1", "3", "4", "6"});

    const CliRun piped =
        run_twinflow({"similar", dir, "--query", query, "--corpus", "-", "-k", "4"}, corpus);
    REQUIRE_MESSAGE(piped.status == 0, piped.err);
    CHECK(piped.out == r.out);

    const CliRun j = run_twinflow(
        {"similar", dir, "--query", query, "--corpus", "-", "-k", "2", "--json"}, corpus);
    REQUIRE_MESSAGE(j.status == 0, j.err);
    const json doc = json::parse(j.out);
    CHECK(keys_of(doc) == std::vector<std::string>{"query", "corpus", "texts", "score", "distance",
                                                   "threshold", "threshold_source", "hits"});
    CHECK(doc["threshold"].get<double>() == threshold);
    CHECK(doc["query"] == query);
    CHECK(doc["corpus"] == "-");
    CHECK(doc["texts"] == 4);
    CHECK(doc["distance"].is_null());
    REQUIRE(doc["hits"].size() == 2);
    CHECK(keys_of(doc["hits"][0]) ==
          std::vector<std::string>{"rank", "line", "score", "alike", "text"});
    for (const json& hit : doc["hits"])
      CHECK(hit["alike"] == (hit["score"].get<double>() >= threshold));
    CHECK(doc["hits"][0]["line"] == 4);
    CHECK(doc["hits"][1]["rank"] == 2);
    CHECK(doc["hits"][0]["score"].get<double>() >= doc["hits"][1]["score"].get<double>());
  }

  TEST_CASE("predict scores pairs as eval does and decides at the recorded threshold") {
    const TinyPairs& s = trained_tiny_pairs();
    const std::string dir = s.tmp.path("model");
    const std::string val = s.tmp.path("val.tsv");
    const CliRun r = run_twinflow({"predict", dir, "--data", val});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    // The threshold chosen on the validation split when the model was trained.
    const std::optional<double> saved = runtime::read_state(dir).threshold;
    REQUIRE(saved);
    const double threshold = *saved;
    CHECK(
        r.err.find(fmt::format("threshold {:.6f}: the validation split's best-accuracy threshold, "
                               "saved with the model",
                               threshold)) != std::string::npos);
    std::istringstream out(r.out), rows(read_all(val));
    std::string line, row;
    std::getline(out, line);
    CHECK(line == "line\tscore\tdecision");
    std::getline(rows, row);  // header: left, right, label
    std::vector<double> scores;
    std::vector<int> labels;
    int right = 0;
    std::string first_left, first_right;
    while (std::getline(out, line) && std::getline(rows, row)) {
      const std::vector<std::string> f = fields_of(line), v = fields_of(row);
      CHECK(f[0] == std::to_string(scores.size() + 2));  // line numbers after the header
      scores.push_back(std::stod(f[1]));
      labels.push_back(std::stoi(v[2]));
      CHECK(f[2] == (scores.back() >= threshold ? "1" : "0"));
      right += (f[2] == "1") == (labels.back() == 1) ? 1 : 0;
      if (first_left.empty()) first_left = v[0], first_right = v[1];
    }
    REQUIRE(scores.size() == 64);
    const CliRun eval = run_twinflow({"eval", dir, "--data", val});
    REQUIRE(eval.status == 0);
    CHECK(auc_by_pairs(scores, labels) ==
          doctest::Approx(value_after(eval.out, "roc_auc")).epsilon(1e-5));
    CHECK(right / 64.0 == doctest::Approx(value_after(eval.out, "accuracy")));

    // One pair: the same score as its row; the label column may be left out of a file.
    const CliRun one = run_twinflow({"predict", dir, first_left, first_right});
    REQUIRE_MESSAGE(one.status == 0, one.err);
    CHECK(value_after(one.out, "score") == doctest::Approx(scores[0]).epsilon(1e-5));
    CHECK(one.out.find("saved with the model") != std::string::npos);
    s.tmp.write("unlabelled.tsv", "left\tright\n" + first_left + "\t" + first_right + "\n");
    const CliRun unlabelled =
        run_twinflow({"predict", dir, "--data", s.tmp.path("unlabelled.tsv"), "--json"});
    REQUIRE_MESSAGE(unlabelled.status == 0, unlabelled.err);
    const json j = json::parse(unlabelled.out);
    CHECK(keys_of(j) == std::vector<std::string>{"threshold", "threshold_source", "file", "rows",
                                                 "skipped_rows", "predictions"});
    REQUIRE(j["predictions"].size() == 1);
    CHECK(j["predictions"][0]["line"] == 2);
    CHECK(j["predictions"][0]["score"].get<double>() == doctest::Approx(scores[0]));

    // A run saved before state.json held its threshold: the one train recorded in run.json
    // decides instead of 0.5.
    const std::string copy = s.tmp.path("with_threshold");
    std::filesystem::copy(dir, copy, std::filesystem::copy_options::recursive);
    json state = json::parse(read_all(copy + "/state.json"));
    state.erase("threshold");
    s.tmp.write("with_threshold/state.json", state.dump());
    const double t = scores[0] + 1e-3;
    s.tmp.write(
        "with_threshold/run.json",
        "{\"thresholds\": {\"best_f1\": 0.01, \"best_accuracy\": " + std::to_string(t) + "}}\n");
    const CliRun at = run_twinflow({"predict", copy, first_left, first_right, "--json"});
    REQUIRE_MESSAGE(at.status == 0, at.err);
    const json a = json::parse(at.out);
    CHECK(a["threshold"].get<double>() == doctest::Approx(t));
    CHECK(a["threshold_source"].get<std::string>().find("best-accuracy threshold, from run.json") !=
          std::string::npos);
    CHECK(a["predictions"][0]["line"].is_null());
    CHECK(a["predictions"][0]["decision"] == 0);  // just below the recorded threshold

    const CliRun three = run_twinflow({"predict", dir, "a", "b", "c"});
    CHECK(three.status == 1);
    CHECK(three.err.find("give two texts, not 3") != std::string::npos);
  }
}

}  // namespace twinflow::testing
