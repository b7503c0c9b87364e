// A triplet model trained with `distance: cosine` is measured by cosine everywhere: the
// metrics eval prints and the ranking similar prints equal those recomputed here, from the
// tower vectors `embed` prints, with cosine distance written out independently.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {

namespace {

constexpr std::string_view kCosineTriplet = R"yaml(model: cosine_triplet
inputs:
  anchor:   {shape: [12], dtype: int32}
  positive: {shape: [12], dtype: int32}
  negative: {shape: [12], dtype: int32}
layers:
  emb: {op: Embedding, vocab: 3000, dim: 8, mask_zero: true,
        embeddings_initializer: {name: random_normal, stddev: 0.5}}
  lstm: {op: LSTM, units: 8}
  out: {op: Dense, units: 8, activation: tanh}
  tower: {op: Sequential, layers: [emb, lstm, out]}
  merge: {op: Concatenate, axis: -1}
graph:
  embeddings: merge(tower(anchor), tower(positive), tower(negative))
outputs: [embeddings]
loss: {op: batch_all_triplet, pred: embeddings, margin: 0.3, distance: cosine}
train:
  optimizer: {name: adam, lr: 0.01}
  batch_size: 16
  epochs: 1
  seed: 3
  data: train.tsv
)yaml";

using Vector = std::vector<double>;

double cosine_distance(const Vector& u, const Vector& v) {
  double uv = 0, uu = 0, vv = 0;
  for (size_t j = 0; j < u.size(); ++j) {
    uv += u[j] * v[j];
    uu += u[j] * u[j];
    vv += v[j] * v[j];
  }
  return 1.0 - uv / (std::sqrt(uu) * std::sqrt(vv));
}

// Column `column` (0: anchor, 1: positive, 2: negative) of a TSV's rows, one text a line.
std::string column_of(const std::string& tsv, int column) {
  std::istringstream in(tsv);
  std::string line, out;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string field;
    for (int c = 0; c <= column; ++c) std::getline(fields, field, '\t');
    out += field + "\n";
  }
  return out;
}

std::vector<Vector> embedded(const std::string& dir, const std::string& texts_file) {
  const CliRun r = run_twinflow({"embed", dir, "--data", texts_file});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  std::vector<Vector> rows;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream numbers(line);
    Vector row;
    for (double x; numbers >> x;) row.push_back(x);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_SUITE("cli.triplet_distance") {
  TEST_CASE("a cosine triplet model is evaluated and searched by cosine distance") {
    TempDir tmp;
    tmp.write("train.tsv", head_of("data/triplets_train.tsv", 96));
    const std::string val = head_of("data/triplets_val.tsv", 40);
    tmp.write("val.tsv", val);
    const std::string spec = tmp.write("cosine.yaml", kCosineTriplet);
    const std::string dir = tmp.path("model");
    const CliRun train = run_twinflow({"train", spec, "--dtype", "float64", "--out", dir});
    REQUIRE_MESSAGE(train.status == 0, train.err);
    CHECK(train.out.find("triplet metrics compare tower outputs by cosine distance") !=
          std::string::npos);

    const std::vector<Vector> a = embedded(dir, tmp.write("a.txt", column_of(val, 0)));
    const std::vector<Vector> p = embedded(dir, tmp.write("p.txt", column_of(val, 1)));
    const std::vector<Vector> n = embedded(dir, tmp.write("n.txt", column_of(val, 2)));
    REQUIRE(a.size() == 40);
    REQUIRE(p.size() == 40);
    REQUIRE(n.size() == 40);
    int ordered = 0, recalled = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      const double ap = cosine_distance(a[i], p[i]);
      if (ap < cosine_distance(a[i], n[i])) ++ordered;
      bool first = true;  // no other positive at least as near (ties count against)
      for (size_t j = 0; j < p.size(); ++j)
        if (j != i && cosine_distance(a[i], p[j]) <= ap) first = false;
      if (first) ++recalled;
    }

    const CliRun eval = run_twinflow({"eval", dir, "--data", tmp.path("val.tsv")});
    REQUIRE_MESSAGE(eval.status == 0, eval.err);
    CHECK(value_after(eval.out, "ordered (cosine distance)") ==
          doctest::Approx(ordered / 40.0).epsilon(1e-9));
    CHECK(value_after(eval.out, "recall@1 (cosine distance)") ==
          doctest::Approx(recalled / 40.0).epsilon(1e-9));

    // similar ranks the positives for the first anchor by −cosine distance.
    const std::string anchor = column_of(val, 0).substr(0, column_of(val, 0).find('\n'));
    const CliRun similar =
        run_twinflow({"similar", dir, "--query", anchor, "--corpus", tmp.path("p.txt"), "-k", "1"});
    REQUIRE_MESSAGE(similar.status == 0, similar.err);
    CHECK(similar.out.starts_with("1 of 40 lines by -cosine distance (the loss's)\n"));
    double best = -1e300;
    for (const Vector& v : p) best = std::max(best, -cosine_distance(a[0], v));
    // The top line: rank, line in the corpus, score, text.
    const std::string top = similar.out.substr(similar.out.find('\n') + 1);
    const std::string score = top.substr(top.find('\t', top.find('\t') + 1) + 1);
    CHECK(std::abs(std::stod(score) - best) < 2e-6);  // printed to 1e-6
  }
}

}  // namespace twinflow::testing
