// End-to-end runs of train, eval, embed and similar on a small slice of the demo data: the tiny
// cosine Siamese network of tests/cli/tiny_pairs.h.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "graph/model/model.h"
#include "ops/registry.h"
#include "runtime/io/safetensors.h"
#include "runtime/io/weights_file.h"
#include "runtime/saved/checkpoint.h"
#include "runtime/saved/model_dir.h"
#include "tests/cli/run_cli.h"
#include "tests/cli/tiny_pairs.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {

TEST_SUITE("cli.train") {
  TEST_CASE("progress goes to stderr, results to stdout; --quiet leaves progress and notes out") {
    const TinyPairs s;
    const CliRun piped = s.train("piped", {"--epochs", "1"});
    REQUIRE_MESSAGE(piped.status == 0, piped.err);
    CHECK(piped.out.find("epoch 1/1:") != std::string::npos);
    CHECK(piped.out.find("vocabulary:") != std::string::npos);
    CHECK(piped.out.find("samples/s") == std::string::npos);
    CHECK(piped.err.find("samples/s") != std::string::npos);  // plain lines: not a terminal
    CHECK(piped.err.find('\r') == std::string::npos);

    const CliRun quiet = s.train("quiet", {"--epochs", "1", "--quiet"});
    REQUIRE_MESSAGE(quiet.status == 0, quiet.err);
    CHECK(quiet.out.find("epoch 1/1:") != std::string::npos);
    CHECK(quiet.out.find("vocabulary:") == std::string::npos);
    CHECK(quiet.err.find("samples/s") == std::string::npos);
  }

  TEST_CASE("training lowers the loss and writes the model directory") {
    const TinyPairs& s = trained_tiny_pairs();
    const std::string dir = s.tmp.path("model");
    for (const char* f : {"spec.yaml", "vocab.txt", "weights.safetensors", "state.json"})
      CHECK(std::filesystem::exists(dir + "/" + f));
    const std::vector<std::string> log = runtime::read_log(dir);
    REQUIRE(log.size() == 2);
    const runtime::TrainState state = runtime::read_state(dir);
    // One checkpoint, the last epoch's, named by the state: the ones before are removed.
    CHECK(state.checkpoint == "checkpoints/step-000000016");
    const runtime::CheckpointFiles files = runtime::checkpoint_files(dir, state);
    for (const std::string& f : {files.last, files.best, files.optimizer})
      CHECK_MESSAGE(std::filesystem::exists(f), f);
    CHECK(std::distance(std::filesystem::directory_iterator(dir + "/checkpoints"),
                        std::filesystem::directory_iterator{}) == 1);
    CHECK(state.epoch == 2);
    CHECK(state.step == 16);  // 256 rows / 32 per batch × 2 epochs
    const double loss2 = std::stod(log[1].substr(log[1].find("\"loss\":") + 7));
    CHECK(loss2 < state.initial_loss - 0.01);
  }

  TEST_CASE("the saved model reloads and eval gives the numbers of the end of training") {
    const TinyPairs& s = trained_tiny_pairs();
    const std::string dir = s.tmp.path("model");
    const CliRun eval = run_twinflow({"eval", dir, "--data", s.tmp.path("val.tsv")});
    REQUIRE_MESSAGE(eval.status == 0, eval.err);
    const runtime::TrainState state = runtime::read_state(dir);
    CHECK(value_after(eval.out, "loss") == doctest::Approx(state.best_value).epsilon(1e-5));
    const double auc = value_after(eval.out, "roc_auc");
    CHECK(auc > 0.0);
    CHECK(auc <= 1.0);
  }

  TEST_CASE("embed gives the same vector for the same text; similar ranks a duplicate first") {
    const TinyPairs& s = trained_tiny_pairs();
    const std::string dir = s.tmp.path("model");
    const std::string text = "And he said unto them, Go ye into all the world";
    const CliRun a = run_twinflow({"embed", dir, "--text", text, "--text", "a different text"});
    const CliRun b = run_twinflow({"embed", dir, "--text", text});
    REQUIRE_MESSAGE(a.status == 0, a.err);
    REQUIRE(b.status == 0);
    CHECK(a.out.substr(0, a.out.find('\n')) == b.out.substr(0, b.out.find('\n')));
    CHECK(std::count(b.out.begin(), b.out.end(), '\t') == 7);  // 8 numbers

    std::string corpus;
    std::istringstream val(head_of("data/pairs_val.tsv", 12));
    std::string line;
    std::getline(val, line);
    std::vector<std::string> lefts;
    while (std::getline(val, line)) {
      std::string right = line.substr(line.find('\t') + 1);
      right = right.substr(0, right.find('\t'));
      corpus += right + "\n";
      lefts.push_back(right);
    }
    const std::string file = s.tmp.write("corpus.txt", corpus);
    const CliRun similar =
        run_twinflow({"similar", dir, "--query", lefts[4], "--corpus", file, "-k", "3"});
    REQUIRE_MESSAGE(similar.status == 0, similar.err);
    std::istringstream lines(similar.out);
    std::getline(lines, line);  // the heading
    std::getline(lines, line);
    CHECK(line.substr(0, 2) == "1\t");
    CHECK(line.substr(line.rfind('\t') + 1) == lefts[4]);
  }

  TEST_CASE("a resumed float64 run equals the uninterrupted one") {
    const TinyPairs& s = trained_tiny_pairs();
    const CliRun first = s.train("resumed", {"--epochs", "1"});
    REQUIRE_MESSAGE(first.status == 0, first.err);
    CHECK(runtime::read_state(s.tmp.path("resumed")).epoch == 1);
    const CliRun rest = s.train("resumed", {"--resume", s.tmp.path("resumed")});
    REQUIRE_MESSAGE(rest.status == 0, rest.err);
    CHECK(rest.out.find("resuming") != std::string::npos);
    CHECK(runtime::read_state(s.tmp.path("resumed")).step ==
          runtime::read_state(s.tmp.path("model")).step);
    CHECK(runtime::read_log(s.tmp.path("resumed")).size() == 2);
    const auto last_weights = [](const std::string& dir) {
      return runtime::checkpoint_files(dir, runtime::read_state(dir)).last;
    };
    const std::pair<std::string, std::string> compared[] = {
        {last_weights(s.tmp.path("resumed")), last_weights(s.tmp.path("model"))},
        {s.tmp.path("resumed/weights.safetensors"), s.tmp.path("model/weights.safetensors")}};
    for (const auto& [f, g] : compared) {
      const auto resumed = runtime::read_safetensors(f);
      const auto whole = runtime::read_safetensors(g);
      REQUIRE(resumed.tensors.size() == whole.tensors.size());
      for (const auto& [name, tensor] : whole.tensors) {
        const std::vector<double> a = runtime::stored_values<double>(tensor, name);
        const std::vector<double> b =
            runtime::stored_values<double>(resumed.tensors.at(name), name);
        REQUIRE(a.size() == b.size());
        for (size_t i = 0; i < a.size(); ++i)
          CHECK_MESSAGE(b[i] == a[i], f << " " << name << "[" << i << "]");  // bit for bit
      }
    }
  }

  TEST_CASE("damaged model files and bad rows give clear errors") {
    const TinyPairs& s = trained_tiny_pairs();
    const std::string dir = s.tmp.path("damaged");
    std::filesystem::copy(s.tmp.path("model"), dir);
    const std::string weights = dir + "/weights.safetensors";
    std::filesystem::resize_file(weights, std::filesystem::file_size(weights) - 40);
    CliRun r = run_twinflow({"eval", dir, "--data", s.tmp.path("val.tsv")});
    CHECK(r.status == 1);
    CHECK(r.err.find("weights.safetensors") != std::string::npos);

    std::filesystem::copy_file(s.tmp.path("model") + "/weights.safetensors", weights,
                               std::filesystem::copy_options::overwrite_existing);
    std::string vocab = read_all(dir + "/vocab.txt");
    vocab.insert(vocab.find('\n') + 1, "\n");  // line 2 left empty
    s.tmp.write("damaged/vocab.txt", vocab);
    r = run_twinflow({"embed", dir, "--text", "grace"});
    CHECK(r.status == 1);
    CHECK(r.err.find("vocab.txt:2:") != std::string::npos);
    CHECK(r.err.find("--skip-bad-rows") == std::string::npos);  // it skips data rows only

    std::filesystem::remove(dir + "/vocab.txt");
    r = run_twinflow({"similar", dir, "--query", "grace", "--corpus", s.tmp.path("val.tsv")});
    CHECK(r.status == 1);
    CHECK(r.err.find("vocab.txt: missing") != std::string::npos);

    std::string rows = head_of("data/pairs_train.tsv", 40);
    rows += "only one field\n";
    s.tmp.write("train.tsv", rows);
    r = s.train("bad_rows");
    CHECK(r.status == 1);
    CHECK(r.err.find("train.tsv:42:") != std::string::npos);
    CHECK(r.err.find("(--skip-bad-rows leaves such rows out") != std::string::npos);
    r = s.train("bad_rows", {"--skip-bad-rows", "--epochs", "1"});
    CHECK_MESSAGE(r.status == 0, r.err);
    s.tmp.write("train.tsv", head_of("data/pairs_train.tsv", 256));
  }

  TEST_CASE("a NaN loss stops training naming the step and the node") {
    const TinyPairs& s = trained_tiny_pairs();
    ops::register_builtin_ops();
    graph::Diagnostics diags;
    const auto spec = graph::parse_spec_file(s.spec, diags);
    REQUIRE(spec);
    const auto model = graph::build_model(*spec, diags);
    REQUIRE(model);
    runtime::ParameterStore<double> params(*model->graph, 1);
    params.find("head.kernel")->data.fill(std::numeric_limits<double>::quiet_NaN());
    const std::string file = s.tmp.path("nan.safetensors");
    runtime::save_weights(file, params);
    const CliRun r = s.train("nan", {"--init", file});
    CHECK(r.status == 1);
    CHECK(r.err.find("step 1 (epoch 1): the loss is nan") != std::string::npos);
    CHECK(r.err.find("node 'pred'") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(s.tmp.path("nan") + "/weights.safetensors"));
  }

  TEST_CASE("--init must hold exactly the model's parameters unless --init-partial") {
    const TinyPairs& s = trained_tiny_pairs();
    runtime::SafetensorsContent weights =
        runtime::read_safetensors(s.tmp.path("model") + "/weights.safetensors");
    REQUIRE(weights.tensors.erase("head.bias") == 1);
    weights.tensors.emplace("proj.kernel", weights.tensors.at("head.kernel"));
    const std::string file = s.tmp.path("partial.safetensors");
    runtime::write_safetensors(file, weights);

    CliRun r = s.train("strict", {"--init", file, "--epochs", "1"});
    CHECK(r.status == 1);
    CHECK(r.err.find("missing from the file: head.bias") != std::string::npos);
    CHECK(r.err.find("not in the model: proj.kernel") != std::string::npos);
    CHECK(r.err.find("--init-partial") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(s.tmp.path("strict")));

    r = s.train("partial", {"--init", file, "--init-partial", "--epochs", "1"});
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(r.out.find("kept at their initial values: head.bias") != std::string::npos);

    CHECK(s.train("no_init", {"--init-partial"}).status == 2);  // needs --init
  }

  TEST_CASE("every new command has --help and rejects a missing directory") {
    for (const char* cmd : {"train", "eval", "embed", "similar"}) {
      const CliRun help = run_twinflow({cmd, "--help"});
      CHECK(help.status == 0);
      CHECK(help.out.find("Usage") != std::string::npos);
    }
    const CliRun r = run_twinflow({"eval", "/nonexistent/dir", "--data", "x.tsv"});
    CHECK(r.status == 1);
    CHECK(r.err.find("not a directory") != std::string::npos);
  }
}

}  // namespace twinflow::testing
