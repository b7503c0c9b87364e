// `twinflow eval --retrieval` on the tiny trained model of tests/cli/tiny_pairs.h and the first
// 50 rows of data/retrieval_test.tsv, checked against recall@k and MRR computed here from the
// vectors `embed` prints.
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

using Matrix = std::vector<std::vector<double>>;

Matrix parse_vectors(const std::string& tsv) {
  Matrix rows;
  std::istringstream in(tsv);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::vector<double>& row = rows.emplace_back();
    for (double x; fields >> x;) row.push_back(x);
  }
  return rows;
}

double cosine(const std::vector<double>& u, const std::vector<double>& v) {
  double uv = 0.0, uu = 0.0, vv = 0.0;
  for (size_t i = 0; i < u.size(); ++i) {
    uv += u[i] * v[i];
    uu += u[i] * u[i];
    vv += v[i] * v[i];
  }
  return uv / std::sqrt(uu * vv);
}

// Query i's rank (from 1) of target i among all targets, by cosine, ties ranked ahead of it.
std::vector<int> true_ranks(const Matrix& queries, const Matrix& targets) {
  std::vector<int> ranks;
  for (size_t i = 0; i < queries.size(); ++i) {
    const double own = cosine(queries[i], targets[i]);
    int rank = 1;
    for (size_t j = 0; j < targets.size(); ++j)
      if (j != i && cosine(queries[i], targets[j]) >= own) ++rank;
    ranks.push_back(rank);
  }
  return ranks;
}

}  // namespace

TEST_SUITE("cli.retrieval") {
  TEST_CASE("eval --retrieval reports recall@k and MRR of the tower vectors") {
    const TinyPairs& s = trained_tiny_pairs();
    const std::string dir = s.tmp.path("model");
    const std::string file = s.tmp.write("retrieval.tsv", head_of("data/retrieval_test.tsv", 50));
    const CliRun r = run_twinflow({"eval", dir, "--retrieval", file, "-k", "1,5,10"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(value_after(r.out, "queries") == 50);
    CHECK(r.out.find("similarity cosine of tower outputs (a pair model") != std::string::npos);

    // The queries and targets as text files, one per line, embedded by `embed`.
    std::istringstream rows(read_all(file));
    std::string row, queries, targets;
    std::getline(rows, row);  // id, query, target
    while (std::getline(rows, row)) {
      const size_t a = row.find('\t'), b = row.find('\t', a + 1);
      queries += row.substr(a + 1, b - a - 1) + "\n";
      targets += row.substr(b + 1) + "\n";
    }
    const CliRun q = run_twinflow({"embed", dir, "--data", s.tmp.write("queries.txt", queries)});
    const CliRun t = run_twinflow({"embed", dir, "--data", s.tmp.write("targets.txt", targets)});
    REQUIRE(q.status == 0);
    REQUIRE(t.status == 0);
    const std::vector<int> ranks = true_ranks(parse_vectors(q.out), parse_vectors(t.out));
    REQUIRE(ranks.size() == 50);
    double mrr = 0.0;
    for (int rank : ranks) mrr += 1.0 / rank / 50.0;
    for (int k : {1, 5, 10}) {
      double recall = 0.0;
      for (int rank : ranks) recall += rank <= k ? 1.0 / 50.0 : 0.0;
      CHECK_MESSAGE(value_after(r.out, "recall@" + std::to_string(k)) ==
                        doctest::Approx(recall).epsilon(1e-6),
                    "k = " << k);
    }
    CHECK(value_after(r.out, "mrr") == doctest::Approx(mrr).epsilon(1e-5));
    // A tiny model finds some targets, and not all of them first.
    CHECK(mrr > 0.1);
    CHECK(mrr < 1.0);

    const CliRun j = run_twinflow({"eval", dir, "--retrieval", file, "-k", "1,5", "--json"});
    REQUIRE_MESSAGE(j.status == 0, j.err);
    const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(j.out);
    CHECK(doc["queries"] == 50);
    CHECK(doc["recall"].size() == 2);
    CHECK(doc["recall"]["5"].get<double>() == doctest::Approx(value_after(r.out, "recall@5")));
    CHECK(doc["mrr"].get<double>() == doctest::Approx(mrr).epsilon(1e-9));

    const CliRun both = run_twinflow({"eval", dir, "--retrieval", file, "--data", file});
    CHECK(both.status == 2);
    const CliRun neither = run_twinflow({"eval", dir});
    CHECK(neither.status == 1);
    CHECK(neither.err.find("give --data FILE or --retrieval FILE") != std::string::npos);
  }
}

}  // namespace twinflow::testing
