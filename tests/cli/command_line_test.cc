// The command line as a script or a person meets it: hints for mistyped names, and `ops`.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/run_cli.h"

namespace twinflow::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_SUITE("cli.help") {
  TEST_CASE("a mistyped subcommand or option gets the nearest name") {
    const CliRun command = run_twinflow({"chek", "models/triplet.yaml"});
    CHECK(command.status == 2);
    CHECK(contains(command.err, "did you mean 'check'?"));

    const CliRun option = run_twinflow({"train", "models/triplet.yaml", "--epoch", "3"});
    CHECK(option.status == 2);
    CHECK(contains(option.err, "did you mean '--epochs'?"));

    const CliRun with_value = run_twinflow({"gradcheck", "--probs=3", "models/triplet.yaml"});
    CHECK(with_value.status == 2);
    CHECK(contains(with_value.err, "did you mean '--probes'?"));

    // Nothing near: CLI11's message alone.
    const CliRun far = run_twinflow({"frobnicate"});
    CHECK(far.status == 2);
    CHECK_FALSE(contains(far.err, "did you mean"));
  }

  TEST_CASE("ops lists every layer op, loss and Lambda function with its keys") {
    const CliRun run = run_twinflow({"ops"});
    REQUIRE(run.status == 0);
    CHECK(contains(run.out, "  Dense "));
    CHECK(contains(run.out, "units, activation, use_bias"));
    CHECK(contains(run.out, "  Bidirectional "));
    CHECK(contains(run.out, "  triplet_margin "));
    CHECK(contains(run.out, "pred, alpha"));
    CHECK(contains(run.out, "  contrastive "));
    CHECK(contains(run.out, "distance, target, margin"));
    CHECK(contains(run.out, "  cosine "));
    CHECK(contains(run.out, "exponent_neg_cosine_distance"));
  }
}

TEST_SUITE("cli.check") {
  TEST_CASE("check --json prints one document with shapes, layers, totals and diagnostics") {
    const std::string good = source_path("models/cosine_siamese.yaml");
    const std::string bad = source_path("tests/specs/bad/several_errors_one_pass.yaml");
    const CliRun run = run_twinflow({"check", "--json", good, bad});
    CHECK(run.status == 1);  // one spec has errors
    CHECK(run.err.empty());
    const nlohmann::json doc = nlohmann::json::parse(run.out);
    CHECK(doc["ok"] == false);
    REQUIRE(doc["specs"].size() == 2);

    const nlohmann::json& model = doc["specs"][0]["model"];
    CHECK(doc["specs"][0]["ok"] == true);
    CHECK(model["name"] == "cosine_siamese");
    CHECK(model["inputs"][0] ==
          nlohmann::json::parse(R"({"name": "left", "shape": [null, 30], "dtype": "int32"})"));
    CHECK(model["params"]["trainable"] == 2060402);
    CHECK(model["params"]["frozen"] == 0);
    CHECK(model["params"]["total"] == 2060402);
    CHECK(model["stacking"] == nlohmann::json::parse(R"({"on": false, "layers": [
            {"layer": "emb", "stacked": [["x1.emb", "x2.emb"]], "alone": []},
            {"layer": "bilstm", "stacked": [["x1", "x2"]], "alone": []}]})"));
    bool saw_bilstm = false;
    for (const nlohmann::json& layer : model["layers"])
      if (layer["name"] == "bilstm") {
        saw_bilstm = true;
        CHECK(layer["uses"] == 2);
        CHECK(layer["params"] == 60400);
      }
    CHECK(saw_bilstm);
    CHECK(model["loss"]["op"] == "binary_crossentropy");
    CHECK(model["outputs"][0]["shape"] == nlohmann::json::parse("[null, 1]"));

    const nlohmann::json& broken = doc["specs"][1];
    CHECK(broken["ok"] == false);
    CHECK(broken["errors"] == 3);
    CHECK_FALSE(broken.contains("model"));
    CHECK(broken["diagnostics"][0]["line"] == 11);
    CHECK(broken["diagnostics"][0]["column"] == 35);
    CHECK(contains(broken["diagnostics"][0]["message"].get<std::string>(), "'dimm'"));
  }
}

}  // namespace
}  // namespace twinflow::testing
