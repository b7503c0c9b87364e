// `train` ends with word counting's scores on the test split, and `eval --baselines` prints
// the same lines: tiny pair and triplet models trained for one epoch on slices of the demo
// data, their baseline lines checked against runtime/train/baselines.h on the same slices.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/data/tsv_reader.h"
#include "runtime/train/baselines.h"
#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::testing {

namespace {

constexpr std::string_view kPairSpec = R"yaml(model: tiny_pairs
inputs:
  left:  {shape: [12], dtype: int32}
  right: {shape: [12], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb: {op: Embedding, vocab: 3000, dim: 4, mask_zero: true}
  lstm: {op: LSTM, units: 4}
  similarity: {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head: {op: Dense, units: 1, activation: sigmoid}
graph:
  x1: lstm(emb(left))
  x2: lstm(emb(right))
  pred: head(similarity(x1, x2))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train:
  optimizer: {name: adam, lr: 0.01}
  batch_size: 32
  epochs: 1
  seed: 3
  data: train.tsv
  test: test.tsv
)yaml";

constexpr std::string_view kTripletSpec = R"yaml(model: tiny_triplets
inputs:
  anchor:   {shape: [12], dtype: int32}
  positive: {shape: [12], dtype: int32}
  negative: {shape: [12], dtype: int32}
layers:
  emb:   {op: Embedding, vocab: 3000, dim: 4, mask_zero: true}
  lstm:  {op: LSTM, units: 4}
  tower: {op: Sequential, layers: [emb, lstm]}
  merge: {op: Concatenate, axis: -1}
  anchor_part:   {op: Slice, part: 0, of: 3}
  positive_part: {op: Slice, part: 1, of: 3}
  negative_part: {op: Slice, part: 2, of: 3}
graph:
  anchor_vec:   tower(anchor)
  positive_vec: tower(positive)
  negative_vec: tower(negative)
  embeddings:   merge(anchor_vec, positive_vec, negative_vec)
  a: anchor_part(embeddings)
  p: positive_part(embeddings)
  n: negative_part(embeddings)
outputs: [embeddings]
loss:
  op: expression
  expr: "mean(max(sum(square(a - p), -1) - sum(square(a - n), -1) + 0.4, 0))"
train:
  optimizer: {name: adam, lr: 0.01}
  batch_size: 32
  epochs: 1
  seed: 3
  data: train.tsv
  test: test.tsv
)yaml";

// The header and the `rows` rows after the first `skip` of a data file.
std::string rows_of(const std::string& file, int skip, int rows) {
  std::ifstream in(source_path(file));
  std::string line, out;
  std::getline(in, line);
  out += line + "\n";
  for (int i = 0; i < skip + rows && std::getline(in, line); ++i)
    if (i >= skip) out += line + "\n";
  return out;
}

bool has_line(const std::string& out, const std::string& line) {
  return out.find("\n" + line + "\n") != std::string::npos;
}

// The lines runtime/train/baselines.h gives for the slice the command was run on.
std::vector<std::string> expected_lines(const runtime::ModelRoles& roles,
                                        const std::vector<runtime::ColumnSpec>& columns,
                                        const TempDir& tmp, bool with_train) {
  const runtime::Dataset test = runtime::read_tsv(tmp.path("test.tsv"), columns);
  const runtime::Dataset train = runtime::read_tsv(tmp.path("train.tsv"), columns);
  return runtime::baseline_lines(
      runtime::word_counting_baselines(roles, test, with_train ? &train : nullptr));
}

}  // namespace

TEST_SUITE("cli.baselines") {
  TEST_CASE("train prints the pair baselines and a verdict; eval --baselines the same lines") {
    TempDir tmp;
    tmp.write("train.tsv", rows_of("data/pairs_train.tsv", 0, 128));
    tmp.write("test.tsv", rows_of("data/pairs_test.tsv", 0, 64));
    const std::string spec = tmp.write("tiny.yaml", kPairSpec);
    const CliRun train =
        run_twinflow({"train", spec, "--dtype", "float64", "--out", tmp.path("model")});
    REQUIRE_MESSAGE(train.status == 0, train.err);
    CHECK(train.out.find("test (64 pairs): loss ") != std::string::npos);

    // Other training data: the spec's test file is not scored as this run's test, unless asked.
    tmp.write("other_test.tsv", rows_of("data/pairs_test.tsv", 64, 40));
    const CliRun other =
        run_twinflow({"train", spec, "--data", tmp.path("train.tsv"), "--out", tmp.path("other")});
    REQUIRE_MESSAGE(other.status == 0, other.err);
    CHECK(other.out.find("test (") == std::string::npos);
    CHECK(other.err.find("no test scores: --data trains on other data than the spec's") !=
          std::string::npos);
    const CliRun tested = run_twinflow({"train", spec, "--data", tmp.path("train.tsv"), "--test",
                                        tmp.path("other_test.tsv"), "--out", tmp.path("tested")});
    REQUIRE_MESSAGE(tested.status == 0, tested.err);
    CHECK(tested.out.find("test (40 pairs): loss ") != std::string::npos);

    runtime::ModelRoles roles;
    roles.text_inputs = {"left", "right"};
    roles.target = "label";
    const std::vector<runtime::ColumnSpec> columns{runtime::ColumnSpec::text("left", 12),
                                                   runtime::ColumnSpec::text("right", 12),
                                                   runtime::ColumnSpec::label01("label")};
    const std::vector<std::string> lines = expected_lines(roles, columns, tmp, true);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].starts_with("word overlap (Jaccard): ROC-AUC "));
    CHECK(lines[0].ends_with(" from the training data)"));
    CHECK(lines[1].starts_with("TF-IDF cosine: ROC-AUC "));
    for (const std::string& line : lines) CHECK_MESSAGE(has_line(train.out, line), train.out);
    const size_t verdict = train.out.find("\nthe model ");
    REQUIRE_MESSAGE(verdict != std::string::npos, train.out);
    CHECK(train.out.find("ROC-AUC (", verdict) != std::string::npos);
    CHECK(train.out.find("accuracy (", verdict) != std::string::npos);

    const std::vector<std::string> eval_args{"eval", tmp.path("model"), "--data",
                                             tmp.path("test.tsv"), "--baselines"};
    const CliRun eval = run_twinflow(eval_args);
    REQUIRE_MESSAGE(eval.status == 0, eval.err);
    for (const std::string& line : lines) CHECK_MESSAGE(has_line(eval.out, line), eval.out);
    CHECK(eval.out.find("\nthe model ") != std::string::npos);

    // Without the training file: said so, and no threshold.
    std::filesystem::remove(tmp.path("train.tsv"));
    const CliRun alone = run_twinflow(eval_args);
    REQUIRE_MESSAGE(alone.status == 0, alone.err);
    CHECK(alone.out.find("is not available, so no threshold") != std::string::npos);
    tmp.write("train.tsv", rows_of("data/pairs_train.tsv", 0, 128));  // for expected_lines
    for (const std::string& line : expected_lines(roles, columns, tmp, false)) {
      CHECK(line.find("accuracy") == std::string::npos);
      CHECK_MESSAGE(has_line(alone.out, line), alone.out);
    }
    CHECK(run_twinflow({"eval", "--help"}).out.find("--baselines") != std::string::npos);
  }

  TEST_CASE("train prints the triplet baselines: ordered and recall among the positives") {
    TempDir tmp;
    tmp.write("train.tsv", rows_of("data/triplets_train.tsv", 0, 64));
    tmp.write("test.tsv", rows_of("data/triplets_test.tsv", 0, 32));
    const std::string spec = tmp.write("tiny.yaml", kTripletSpec);
    const CliRun train =
        run_twinflow({"train", spec, "--dtype", "float64", "--out", tmp.path("model")});
    REQUIRE_MESSAGE(train.status == 0, train.err);
    CHECK(train.out.find("test (32 triplets, squared Euclidean distance): loss ") !=
          std::string::npos);

    runtime::ModelRoles roles;
    roles.family = runtime::ModelFamily::kTriplet;
    roles.text_inputs = {"anchor", "positive", "negative"};
    const std::vector<runtime::ColumnSpec> columns{runtime::ColumnSpec::text("anchor", 12),
                                                   runtime::ColumnSpec::text("positive", 12),
                                                   runtime::ColumnSpec::text("negative", 12)};
    const std::vector<std::string> lines = expected_lines(roles, columns, tmp, true);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].starts_with("word overlap (Jaccard): ordered "));
    CHECK(lines[0].find("  recall@5 ") != std::string::npos);
    for (const std::string& line : lines) CHECK_MESSAGE(has_line(train.out, line), train.out);
    const size_t verdict = train.out.find("\nthe model ");
    REQUIRE_MESSAGE(verdict != std::string::npos, train.out);
    CHECK(train.out.find("ordered (", verdict) != std::string::npos);
  }
}

}  // namespace twinflow::testing
