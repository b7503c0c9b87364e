// The specs that ship in models/: each checks, counts its parameters as worked out by hand,
// round-trips through --print-defaults, and passes a whole-model gradient check.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "tests/cli/run_cli.h"

namespace twinflow::testing {
namespace {

// LSTM parameters of one direction: kernel [in, 4u], recurrent kernel [u, 4u], bias [4u].
constexpr int64_t lstm_params(int64_t in, int64_t units) { return 4 * units * (in + units + 1); }
constexpr int64_t dense_params(int64_t in, int64_t units) { return in * units + units; }

constexpr int64_t kEmbedding = 20000 * 100;
constexpr int64_t kBilstm = 2 * lstm_params(100, 50);
constexpr int64_t kTower = kEmbedding + kBilstm + dense_params(100, 64) + dense_params(64, 64);

struct ParamCount {
  int64_t total = 0;
  int64_t frozen = 0;
};

const std::map<std::string, ParamCount> kShippedModels = {
    {"models/cosine_siamese.yaml", {kEmbedding + kBilstm + dense_params(1, 1), 0}},
    {"models/word2vec.yaml", {2 * kEmbedding, 0}},
    {"models/variants/seed.yaml", {kEmbedding + kBilstm + dense_params(1, 1), 0}},
    {"models/variants/seed_positive_head.yaml", {kEmbedding + kBilstm + dense_params(1, 1), 0}},
    {"models/variants/seed_positive_head_lr3e3.yaml",
     {kEmbedding + kBilstm + dense_params(1, 1), 0}},
    {"models/variants/seed_positive_head_normal.yaml",
     {kEmbedding + kBilstm + dense_params(1, 1), 0}},
    // Its embedding is frozen (the spec says why).
    {"models/variants/sums_frozen.yaml", {kEmbedding + kBilstm + dense_params(1, 1), kEmbedding}},
    {"models/variants/sums_trainable.yaml", {kEmbedding + kBilstm + dense_params(1, 1), 0}},
    {"models/triplet.yaml", {kTower, 0}},
    {"models/triplet_distance.yaml", {kTower, 0}},
    {"models/triplet_mining.yaml", {kTower, 0}},
    {"models/manhattan_siamese.yaml", {kEmbedding + lstm_params(100, 50), 0}},
};

std::string with_separators(int64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

// The summary without the lines that name the file.
std::string summary_body(const std::string& out) {
  std::string body;
  size_t begin = 0;
  while (begin < out.size()) {
    size_t end = out.find('\n', begin);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(begin, end - begin);
    if (line.find(".yaml") == std::string::npos) body += line + "\n";
    begin = end + 1;
  }
  return body;
}

TEST_SUITE("cli.models") {
  TEST_CASE("each shipped model checks and its parameter count matches the hand count") {
    for (const auto& [path, count] : kShippedModels) {
      CAPTURE(path);
      const CliRun run = run_twinflow({"check", source_path(path)});
      CAPTURE(run.err);
      CHECK(run.status == 0);
      CHECK(run.err.find("error") == std::string::npos);
      CHECK(run.err.find("warning") == std::string::npos);
      CHECK(run.out.find("Total params: " + with_separators(count.total)) != std::string::npos);
      CHECK(run.out.find("Trainable params: " + with_separators(count.total - count.frozen)) !=
            std::string::npos);
      CHECK(run.out.find("Frozen params: " + with_separators(count.frozen)) != std::string::npos);
      CHECK(run.out.find("OK") != std::string::npos);
    }
  }

  TEST_CASE("--print-defaults gives a spec that loads to the same model") {
    for (const auto& [path, count] : kShippedModels) {
      CAPTURE(path);
      const CliRun original = run_twinflow({"check", source_path(path)});
      const CliRun defaults = run_twinflow({"check", "--print-defaults", source_path(path)});
      REQUIRE(defaults.status == 0);
      const std::string copy =
          (std::filesystem::temp_directory_path() / "twinflow_defaults_test.yaml").string();
      std::ofstream(copy) << defaults.out;
      const CliRun reloaded = run_twinflow({"check", copy});
      CAPTURE(reloaded.err);
      CHECK(reloaded.status == 0);
      CHECK(summary_body(reloaded.out) == summary_body(original.out));
      // Printing the printed spec again changes nothing: it is a fixed point.
      const CliRun again = run_twinflow({"check", "--print-defaults", copy});
      CHECK(again.out == defaults.out);
      std::remove(copy.c_str());
    }
  }

  TEST_CASE("each shipped model passes a whole-model gradient check at 1e-6") {
    for (const auto& [path, count] : kShippedModels) {
      CAPTURE(path);
      // Every parameter tensor, 30 elements of each spread evenly over it, at the sizes
      // gradcheck shrinks the model to: enough to catch a wrongly wired model, since every
      // op's own check probes every element. (All ~73,000 elements take a minute: `twinflow
      // gradcheck` does that by default; the test keeps to what the sanitizer builds afford.)
      const CliRun run = run_twinflow({"gradcheck", source_path(path), "--probes", "30"});
      CHECK(run.out.find("probes") != std::string::npos);
      CAPTURE(run.out);
      CAPTURE(run.err);
      CHECK(run.status == 0);
      CHECK(run.out.find("PASS") != std::string::npos);
    }
  }

  TEST_CASE("gradcheck fails loudly when the tolerance cannot be met") {
    // Finite differences carry ~1e-10 of rounding error: a tolerance of 1e-15 must fail.
    const CliRun run = run_twinflow({"gradcheck", source_path("models/manhattan_siamese.yaml"),
                                     "--tolerance", "1e-15", "--probes", "20"});
    CHECK(run.status == 1);
    CHECK(run.out.find("FAIL") != std::string::npos);
  }
}

TEST_SUITE("cli.models") {
  TEST_CASE("the cosine spec has one embedding table and one Bidirectional, each used twice") {
    graph::Diagnostics diags;
    const auto spec = graph::parse_spec_file(source_path("models/cosine_siamese.yaml"), diags);
    REQUIRE(spec);
    const auto model = graph::build_model(*spec, diags);
    REQUIRE(model);
    const graph::Graph& g = *model->graph;
    int tables = 0, bidirectional_kernels = 0;
    for (graph::ValueId p : g.parameters()) {
      tables += g.value(p).name == "emb.embeddings";
      bidirectional_kernels += g.value(p).name == "bilstm.forward.kernel";
    }
    CHECK(tables == 1);
    CHECK(bidirectional_kernels == 1);
    CHECK(g.parameters().size() == 1 + 6 + 2);  // emb; 3 per LSTM direction; head
    CHECK(g.layer(model->layer_id("emb")).uses.size() == 2);
    CHECK(g.layer(model->layer_id("bilstm")).uses.size() == 2);
    const CliRun run = run_twinflow({"check", source_path("models/cosine_siamese.yaml")});
    CHECK(run.out.find("x1.emb") != std::string::npos);
    CHECK(run.out.find("x2.emb") != std::string::npos);
    CHECK(run.out.find("×2") != std::string::npos);
  }
}

TEST_SUITE("cli.help") {
  TEST_CASE("every subcommand answers --help") {
    for (const char* command : {"check", "gradcheck"}) {
      CAPTURE(command);
      const CliRun run = run_twinflow({command, "--help"});
      CHECK(run.status == 0);
      CHECK(run.out.find(command) != std::string::npos);
      CHECK(run.out.find("--help") != std::string::npos);
    }
    const CliRun top = run_twinflow({"--help"});
    CHECK(top.status == 0);
    CHECK(top.out.find("gradcheck") != std::string::npos);
  }

  TEST_CASE("a malformed command line exits 2 with a message") {
    const CliRun run = run_twinflow({"gradcheck", "--batch", "zero", "x.yaml"});
    CHECK(run.status == 2);
    CHECK(!run.err.empty());
    CHECK(run_twinflow({"nosuchcommand"}).status == 2);
  }

  TEST_CASE("a spec file that does not exist is an error naming it") {
    const CliRun run = run_twinflow({"check", "no/such/spec.yaml"});
    CHECK(run.status == 1);
    CHECK(run.err.find("no/such/spec.yaml") != std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::testing
