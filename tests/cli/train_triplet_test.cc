// End to end on triplets, and the trainer's warnings: a tiny concatenated triplet network
// (the shape of models/triplet.yaml, shrunk) trained on a slice of the demo triplets, then
// evaluated and used; and a pair network built to sit on the ln 2 plateau.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/saved/model_dir.h"
#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {

namespace {

constexpr std::string_view kTinyTriplet = R"yaml(model: tiny_triplet
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
  anchor_part: {op: Slice, part: 0, of: 3}
  positive_part: {op: Slice, part: 1, of: 3}
  negative_part: {op: Slice, part: 2, of: 3}
graph:
  embeddings: merge(tower(anchor), tower(positive), tower(negative))
  a: anchor_part(embeddings)
  p: positive_part(embeddings)
  n: negative_part(embeddings)
outputs: [embeddings]
loss: {op: expression, expr: "mean(max(sum(square(a - p), -1) - sum(square(a - n), -1) + 0.4, 0))"}
train:
  optimizer: {name: adam, lr: 0.01}
  batch_size: 32
  epochs: 3
  seed: 5
  data: train.tsv
  val: val.tsv
  test: val.tsv
)yaml";

// A head whose weight starts at zero reads nothing of the similarity, and embeddings a
// thousandth of the usual scale make both encodings nearly equal: every pair scores 0.5 and
// the learning rate is too small to leave ln 2 within an epoch.
constexpr std::string_view kPlateauPairs = R"yaml(model: plateau
inputs:
  left:  {shape: [12], dtype: int32}
  right: {shape: [12], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb: {op: Embedding, vocab: 3000, dim: 8, mask_zero: true,
        embeddings_initializer: {name: random_uniform, minval: -0.00005, maxval: 0.00005}}
  lstm: {op: LSTM, units: 8}
  similarity: {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head: {op: Dense, units: 1, activation: sigmoid, kernel_initializer: zeros}
graph:
  pred: head(similarity(lstm(emb(left)), lstm(emb(right))))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train:
  optimizer: {name: sgd, lr: 0.0001}
  batch_size: 32
  epochs: 1
  data: train.tsv
)yaml";

}  // namespace

TEST_SUITE("cli.train_triplet") {
  TEST_CASE("a triplet model trains, reloads, evaluates and embeds") {
    TempDir tmp;
    tmp.write("train.tsv", head_of("data/triplets_train.tsv", 256));
    tmp.write("val.tsv", head_of("data/triplets_val.tsv", 64));
    const std::string spec = tmp.write("triplet.yaml", kTinyTriplet);
    const std::string dir = tmp.path("model");
    const CliRun train = run_twinflow({"train", spec, "--dtype", "float64", "--out", dir});
    REQUIRE_MESSAGE(train.status == 0, train.err);

    const runtime::TrainState state = runtime::read_state(dir);
    CHECK(state.epoch == 3);
    const std::vector<std::string> log = runtime::read_log(dir);
    REQUIRE(log.size() == 3);
    const double last_loss = std::stod(log[2].substr(log[2].find("\"loss\":") + 7));
    CHECK(last_loss < state.initial_loss - 0.01);
    CHECK(log[0].find("\"val_triplet_accuracy\":") != std::string::npos);

    // The test line ranks among the 64 validation rows: recall@5 ≥ recall@1.
    const double recall1 = value_after(train.out, "recall@1");
    const double recall5 = value_after(train.out, "recall@5");
    CHECK(recall1 >= 0.0);
    CHECK(recall5 >= recall1);
    CHECK(recall5 <= 1.0);

    const CliRun eval = run_twinflow({"eval", dir, "--data", tmp.path("val.tsv")});
    REQUIRE_MESSAGE(eval.status == 0, eval.err);
    CHECK(value_after(eval.out, "loss") == doctest::Approx(state.best_value).epsilon(1e-6));
    // train printed recall@1 to 4 decimals.
    CHECK(value_after(eval.out, "recall@1 (squared Euclidean distance)") ==
          doctest::Approx(recall1).epsilon(1e-3));

    // The tower's output for a text, the same twice, 8 numbers wide.
    const CliRun embed =
        run_twinflow({"embed", dir, "--text", "grace be with you", "--text", "grace be with you"});
    REQUIRE_MESSAGE(embed.status == 0, embed.err);
    std::istringstream lines(embed.out);
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    CHECK(first == second);
    CHECK(std::count(first.begin(), first.end(), '\t') == 7);  // 8 values

    // predict is for pair models; similar and retrieval name the loss's distance.
    const CliRun predict = run_twinflow({"predict", dir, "grace", "peace"});
    CHECK(predict.status == 1);
    CHECK(predict.err.find("holds a triplet model") != std::string::npos);
    CHECK(predict.err.find("twinflow similar") != std::string::npos);
    const CliRun similar = run_twinflow(
        {"similar", dir, "--query", "grace", "--corpus", "-", "--json"}, "grace\npeace\n");
    REQUIRE_MESSAGE(similar.status == 0, similar.err);
    CHECK(similar.out.find("\"distance\": \"squared Euclidean\"") != std::string::npos);
    const std::string retrieval =
        tmp.write("retrieval.tsv", head_of("data/retrieval_test.tsv", 20));
    const CliRun ranked = run_twinflow({"eval", dir, "--retrieval", retrieval, "-k", "1"});
    REQUIRE_MESSAGE(ranked.status == 0, ranked.err);
    CHECK(ranked.out.find("similarity squared Euclidean distance between tower outputs") !=
          std::string::npos);
  }

  TEST_CASE("a mining loss reports the share of active triplets each epoch") {
    TempDir tmp;
    tmp.write("train.tsv", head_of("data/triplets_train.tsv", 128));
    tmp.write("val.tsv", head_of("data/triplets_val.tsv", 32));
    std::string spec(kTinyTriplet);
    replace_once(spec,
                 "{op: expression, expr: \"mean(max(sum(square(a - p), -1) - sum(square(a - n), "
                 "-1) + 0.4, 0))\"}",
                 "{op: batch_hard_triplet, pred: embeddings, margin: 0.5}");
    tmp.write("mining.yaml", spec);
    const CliRun r =
        run_twinflow({"train", tmp.path("mining.yaml"), "--epochs", "1", "--out", tmp.path("m")});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const std::vector<std::string> log = runtime::read_log(tmp.path("m"));
    REQUIRE(log.size() == 1);
    const size_t at = log[0].find("\"active_triplets\":");
    REQUIRE_MESSAGE(at != std::string::npos, log[0]);
    const double active = std::stod(log[0].substr(at + 18));
    CHECK(active > 0.0);  // a fresh model violates some margins
    CHECK(active <= 1.0);
    CHECK(r.out.find("active_triplets") != std::string::npos);
  }

  TEST_CASE("a loss that has not moved after the first epoch is warned about") {
    TempDir tmp;
    tmp.write("train.tsv", head_of("data/pairs_train.tsv", 128));
    const std::string spec = tmp.write("plateau.yaml", kPlateauPairs);
    const CliRun r = run_twinflow({"train", spec, "--out", tmp.path("model")});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(r.err.find("warning: the training loss has not moved from its starting value 0.6931") !=
          std::string::npos);
    CHECK(r.err.find("over the first epoch's 4 batches (ln 2 = 0.6931 is every pair scored 0.5)") !=
          std::string::npos);

    // One batch is no evidence: an epoch's mean over one batch is that batch's loss.
    const CliRun one =
        run_twinflow({"train", spec, "--out", tmp.path("one_batch"), "--batch-size", "128"});
    REQUIRE_MESSAGE(one.status == 0, one.err);
    CHECK(one.err.find("has not moved") == std::string::npos);

    // The shipped settings (embeddings at std 0.5, the head's weight 1, Adam at 0.01) leave it.
    std::string moving(kPlateauPairs);
    replace_once(moving, "{name: random_uniform, minval: -0.00005, maxval: 0.00005}",
                 "{name: random_normal, stddev: 0.5}");
    replace_once(moving, "kernel_initializer: zeros", "kernel_initializer: ones");
    replace_once(moving, "{name: sgd, lr: 0.0001}", "{name: adam, lr: 0.01}");
    tmp.write("moving.yaml", moving);
    const CliRun m = run_twinflow({"train", tmp.path("moving.yaml"), "--out", tmp.path("moving")});
    REQUIRE_MESSAGE(m.status == 0, m.err);
    CHECK(m.err.find("has not moved") == std::string::npos);
  }
}

}  // namespace twinflow::testing
