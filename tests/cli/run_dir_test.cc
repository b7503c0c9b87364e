// Where train writes a run, and that no run is lost by accident: --out refuses a directory
// holding anything but a run of the same spec unless --overwrite, a run without --out gets a
// new runs/<model>/<n>, a failing run leaves no half-made directory, --resume and viz --stats
// say when the run comes from another spec, and run.json records what reproduces the run.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/io/sha256.h"
#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/in_directory.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPairs = R"yaml(model: tiny_pairs
inputs:
  left:  {shape: [8], dtype: int32}
  right: {shape: [8], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb: {op: Embedding, vocab: 3000, dim: 4, mask_zero: true}
  lstm: {op: LSTM, units: 4}
  similarity: {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head: {op: Dense, units: 1, activation: sigmoid, kernel_initializer: ones}
graph:
  pred: head(similarity(lstm(emb(left)), lstm(emb(right))))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train: {optimizer: {name: adam, lr: 0.01}, batch_size: 16, epochs: 1, seed: 7,
        data: train.tsv, val: val.tsv, test: val.tsv}
)yaml";

// Another model with the same inputs: its parameters differ from tiny_pairs' (proj).
constexpr std::string_view kOther = R"yaml(model: other_pairs
inputs:
  left:  {shape: [8], dtype: int32}
  right: {shape: [8], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb: {op: Embedding, vocab: 3000, dim: 4, mask_zero: true}
  lstm: {op: LSTM, units: 4}
  proj: {op: Dense, units: 3}
  similarity: {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head: {op: Dense, units: 1, activation: sigmoid}
graph:
  pred: head(similarity(proj(lstm(emb(left))), proj(lstm(emb(right)))))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train: {batch_size: 16, epochs: 1, data: train.tsv}
)yaml";

constexpr std::string_view kTriplet = R"yaml(model: tiny_triplet
inputs:
  anchor:   {shape: [8], dtype: int32}
  positive: {shape: [8], dtype: int32}
  negative: {shape: [8], dtype: int32}
layers:
  emb: {op: Embedding, vocab: 3000, dim: 4, mask_zero: true}
  lstm: {op: LSTM, units: 4}
  tower: {op: Sequential, layers: [emb, lstm]}
  merge: {op: Concatenate, axis: -1}
graph:
  embeddings: merge(tower(anchor), tower(positive), tower(negative))
outputs: [embeddings]
loss: {op: batch_hard_triplet, pred: embeddings}
train: {batch_size: 16, epochs: 1, data: triplets.tsv}
)yaml";

struct Files {
  TempDir tmp;
  std::string pairs, other, triplet;
  Files() {
    tmp.write("train.tsv", head_of("data/pairs_train.tsv", 48));
    tmp.write("val.tsv", head_of("data/pairs_val.tsv", 16));
    tmp.write("triplets.tsv", head_of("data/triplets_train.tsv", 32));
    pairs = tmp.write("pairs.yaml", kPairs);
    other = tmp.write("other.yaml", kOther);
    triplet = tmp.write("triplet.yaml", kTriplet);
  }
};

}  // namespace

TEST_SUITE("cli.run_dir") {
  TEST_CASE("--out refuses a directory holding other files unless --overwrite") {
    const Files f;
    const std::string dir = f.tmp.path("taken");
    fs::create_directories(dir);
    f.tmp.write("taken/notes.txt", "mine");
    CliRun r = run_twinflow({"train", f.pairs, "--out", dir});
    CHECK(r.status == 1);
    CHECK_MESSAGE(r.err.find("holds files that are not a finished or resumable twinflow run "
                             "(notes.txt)") != std::string::npos,
                  r.err);
    CHECK(r.err.find("--overwrite") != std::string::npos);
    CHECK(r.out.find("vocabulary") == std::string::npos);  // refused before reading the data
    CHECK_FALSE(fs::exists(dir + "/spec.yaml"));

    r = run_twinflow({"train", f.pairs, "--out", dir, "--overwrite"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(read_all(dir + "/notes.txt") == "mine");  // only run files are replaced
    CHECK(fs::exists(dir + "/weights.safetensors"));

    // A run of the same spec may be trained again; one of another spec may not.
    r = run_twinflow({"train", f.pairs, "--out", dir});
    CHECK_MESSAGE(r.status == 0, r.err);
    r = run_twinflow({"train", f.other, "--out", dir});
    CHECK(r.status == 1);
    CHECK(r.err.find("holds a run of another spec: the run's model is 'tiny_pairs'") !=
          std::string::npos);
  }

  TEST_CASE("--out is checked before any data is read, and a failing run leaves nothing") {
    const Files f;
    const std::string file = f.tmp.write("a_file", "x");
    CliRun r = run_twinflow({"train", f.pairs, "--out", file, "--data", f.tmp.path("none.tsv")});
    CHECK(r.status == 1);
    CHECK_MESSAGE(r.err.find("--out " + file + ": a file, not a directory") != std::string::npos,
                  r.err);
    r = run_twinflow({"train", f.pairs, "--out", file + "/below"});
    CHECK(r.status == 1);
    CHECK(r.err.find("is a file, not a directory") != std::string::npos);

    std::string rows = head_of("data/pairs_train.tsv", 20);
    rows += "only one field\n";
    f.tmp.write("bad.tsv", rows);
    const std::string dir = f.tmp.path("failed");
    r = run_twinflow({"train", f.pairs, "--out", dir, "--data", f.tmp.path("bad.tsv")});
    CHECK(r.status == 1);
    CHECK(r.err.find("bad.tsv:22:") != std::string::npos);
    CHECK_FALSE(fs::exists(dir));
  }

  TEST_CASE("without --out each run gets the next runs/<model>/<n>") {
    const Files f;
    const InDirectory here(f.tmp.dir());
    CliRun r = run_twinflow({"train", f.pairs, "--epochs", "1"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(r.out.find("saved to runs/tiny_pairs/1\n") != std::string::npos);
    r = run_twinflow({"train", f.pairs, "--epochs", "1"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(r.out.find("saved to runs/tiny_pairs/2\n") != std::string::npos);
    CHECK(fs::exists("runs/tiny_pairs/1/weights.safetensors"));
    CHECK(fs::exists("runs/tiny_pairs/2/weights.safetensors"));
    fs::create_directories("runs/tiny_pairs/9");
    r = run_twinflow({"train", f.pairs, "--epochs", "1"});
    CHECK(r.out.find("saved to runs/tiny_pairs/10\n") != std::string::npos);
  }

  TEST_CASE("run.json records the command, version, seed, data hashes, test and thresholds") {
    const Files f;
    const std::string dir = f.tmp.path("run");
    const CliRun r = run_twinflow({"train", f.pairs, "--out", dir, "--seed", "11"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const nlohmann::json j = nlohmann::json::parse(read_all(dir + "/run.json"));
    CHECK(j.at("commands") ==
          nlohmann::json::array({{"twinflow", "train", f.pairs, "--out", dir, "--seed", "11"}}));
    CHECK(j.at("twinflow").at("version").get<std::string>() == "0.1.0");
    CHECK_FALSE(j.at("twinflow").at("commit").get<std::string>().empty());
    CHECK(j.at("seed") == 11);
    CHECK(j.at("dtype") == "float32");
    for (const char* role : {"data", "val", "test"}) {
      const std::string file = f.tmp.path(std::string(role) == "data" ? "train.tsv" : "val.tsv");
      CHECK(j.at("files").at(role).at("path") == file);
      CHECK(j.at("files").at(role).at("sha256") == runtime::sha256_hex(read_all(file)));
    }
    // The test line's numbers and the thresholds it used, as printed to 4 decimals.
    const double auc = value_after(r.out, "ROC-AUC");
    CHECK(j.at("test").at("roc_auc").get<double>() == doctest::Approx(auc).epsilon(1e-3));
    const double t = value_after(r.out, "test accuracy at");
    CHECK(j.at("thresholds").at("best_accuracy").get<double>() == doctest::Approx(t).epsilon(1e-3));
    CHECK(j.at("thresholds").contains("best_f1"));

    // A resumed run adds its command.
    const CliRun more = run_twinflow({"train", f.pairs, "--resume", dir, "--epochs", "2"});
    REQUIRE_MESSAGE(more.status == 0, more.err);
    const nlohmann::json k = nlohmann::json::parse(read_all(dir + "/run.json"));
    REQUIRE(k.at("commands").size() == 2);
    CHECK(k.at("commands")[1][3] == "--resume");
  }

  TEST_CASE("a run of another spec is named as such by --resume and viz --stats") {
    const Files f;
    const std::string dir = f.tmp.path("pairs_run");
    REQUIRE(run_twinflow({"train", f.pairs, "--out", dir}).status == 0);
    CliRun r = run_twinflow({"train", f.other, "--resume", dir});
    CHECK(r.status == 1);
    CHECK_MESSAGE(r.err.find(dir + " was trained from a different spec: the run's model is "
                                   "'tiny_pairs'") != std::string::npos,
                  r.err);
    CHECK(r.err.find("the given spec's is 'other_pairs' (" + f.other + ")") != std::string::npos);
    CHECK(r.err.find("only in the given spec: proj.") != std::string::npos);
    CHECK(r.err.find("did you mean") == std::string::npos);

    // The drawn spec is a triplet model, the data triplets: the run is the mismatch to report.
    r = run_twinflow({"viz", f.triplet, "-o", f.tmp.path("t.svg"), "--stats", dir, "--data",
                      f.tmp.path("triplets.tsv")});
    CHECK(r.status == 1);
    CHECK_MESSAGE(r.err.find("was trained from a different spec") != std::string::npos, r.err);
    CHECK(r.err.find("header") == std::string::npos);
  }

  TEST_CASE("a count out of range gets a short message with a sane bound") {
    const Files f;
    for (const char* option : {"--epochs", "--batch-size"}) {
      const CliRun r = run_twinflow({"train", f.pairs, option, "0"});
      CHECK(r.status == 2);
      CHECK_MESSAGE(
          r.err.find(std::string(option) + ": 0 is not in [1, 1000000]") != std::string::npos,
          r.err);
      CHECK(r.err.size() < 200);
    }
    const CliRun lr = run_twinflow({"train", f.pairs, "--lr", "0"});
    CHECK(lr.err.find("--lr: 0 is not a number above 0") != std::string::npos);
    CHECK(lr.err.size() < 200);
  }
}

}  // namespace twinflow::testing
