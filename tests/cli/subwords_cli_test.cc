// Subword vectors end to end: a spec with `subwords:` builds with its pieces input, passes the
// model gradient check, trains, and after reloading gives an unseen word a vector of its own
// (without subwords every unseen word is the one out-of-vocabulary row). Two spellings of one
// word start closer than two unrelated words. ONNX export refuses it, naming why.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "graph/model/model.h"
#include "graph/model/summary.h"
#include "graph/spec/spec.h"
#include "ops/registry.h"
#include "tests/cli/run_cli.h"
#include "tests/cli/tiny_pairs.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {
namespace {

// The tiny pairs spec (tests/cli/tiny_pairs.h) with subwords on its Embedding.
std::string subword_spec(const TinyPairs& pairs) {
  std::string text = read_all(pairs.spec);
  replace_once(text, "mask_zero: true,",
               "mask_zero: true,\n        subwords: {min_n: 3, max_n: 5, buckets: 5000},");
  return text;
}

std::vector<double> first_vector(const std::string& embed_out) {
  std::istringstream line(embed_out.substr(0, embed_out.find('\n')));
  std::vector<double> v;
  std::string field;
  while (std::getline(line, field, '\t')) v.push_back(std::stod(field));
  return v;
}

double vector_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(d);
}

std::vector<double> embed_text(const std::string& dir, const std::string& text) {
  const CliRun r = run_twinflow({"embed", dir, "--text", text});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return first_vector(r.out);
}

TEST_SUITE("cli.subwords") {
  TEST_CASE("the build adds one pieces input per text input, shared by both calls") {
    ops::register_builtin_ops();
    const TinyPairs pairs;
    graph::Diagnostics diags;
    const auto spec = graph::parse_spec(subword_spec(pairs), "s.yaml", diags);
    REQUIRE(spec);
    const auto model = graph::build_model(*spec, diags);
    REQUIRE_MESSAGE(model, diags.to_string());
    REQUIRE(model->subword_inputs.size() == 2);
    const graph::SubwordInput& left = model->subword_inputs.at("left");
    CHECK(left.pieces == "left:subwords");
    CHECK(left.first_row == 3000);
    CHECK(left.subwords.buckets == 5000);
    const auto pieces = model->graph->find_value("right:subwords");
    REQUIRE(pieces);
    CHECK(model->graph->value(*pieces).shape == graph::Shape{graph::kBatch, 12, 69});
    // `check` lists it under its text, as an input the text fills.
    const std::string summary = graph::model_summary(*model);
    CHECK(summary.find("  left            [B, 12]      int32\n"
                       "  left:subwords   [B, 12, 69]  int32, from left\n") != std::string::npos);
    CHECK(model->graph->value(*model->graph->find_value("emb.embeddings")).shape ==
          graph::Shape{8000, 8});
  }

  TEST_CASE("check --json lists the pieces input after its text") {
    const TinyPairs pairs;
    const std::string spec = pairs.tmp.write("sub.yaml", subword_spec(pairs));
    const CliRun run = run_twinflow({"check", "--json", spec});
    REQUIRE_MESSAGE(run.status == 0, run.err);
    const nlohmann::json inputs = nlohmann::json::parse(run.out)["specs"][0]["model"]["inputs"];
    REQUIRE(inputs.size() == 5);
    CHECK(inputs[1] == nlohmann::json::parse(R"({"name": "left:subwords", "shape": [null, 12, 69],
                                                  "dtype": "int32", "from": "left"})"));
  }

  TEST_CASE("subwords must read a text input directly") {
    ops::register_builtin_ops();
    std::string text = subword_spec(TinyPairs());
    replace_once(text, "x1: lstm(emb(left))", "x1: lstm(emb(emb2(left)))");
    replace_once(text, "  lstm:", "  emb2: {op: Embedding, vocab: 3000, dim: 8}\n  lstm:");
    graph::Diagnostics diags;
    const auto spec = graph::parse_spec(text, "s.yaml", diags);
    REQUIRE(spec);
    CHECK_FALSE(graph::build_model(*spec, diags));
    CHECK(diags.to_string().find("layer 'emb' (Embedding) has subwords") != std::string::npos);
  }

  TEST_CASE("gradcheck, train, reload: an unseen word gets a vector from its pieces") {
    const TinyPairs pairs;
    const TempDir& tmp = pairs.tmp;
    const std::string spec = tmp.write("subwords.yaml", subword_spec(pairs));

    const CliRun checked = run_twinflow({"gradcheck", spec, "--vocab", "12", "--seqlen", "3"});
    CAPTURE(checked.out);
    REQUIRE_MESSAGE(checked.status == 0, checked.err);
    CHECK(checked.out.find("FAIL") == std::string::npos);

    const std::string dir = tmp.path("model");
    const CliRun trained =
        run_twinflow({"train", spec, "--dtype", "float64", "--out", dir, "--quiet"});
    REQUIRE_MESSAGE(trained.status == 0, trained.err);

    // Neither word is in the vocabulary (nor in the demo data).
    const std::vector<double> a = embed_text(dir, "zorblaxing");
    const std::vector<double> b = embed_text(dir, "quiffle");
    REQUIRE(a.size() == 8);
    CHECK(vector_distance(a, b) > 1e-3);
    // Without subwords both are the out-of-vocabulary row, so their vectors are equal.
    const std::string plain = trained_tiny_pairs().tmp.path("model");
    CHECK(vector_distance(embed_text(plain, "zorblaxing"), embed_text(plain, "quiffle")) < 1e-12);
    // Spellings sharing most of their n-grams start closer than unrelated words.
    CHECK(vector_distance(embed_text(dir, "zorblaxing"), embed_text(dir, "zorblaxed")) <
          vector_distance(a, b));

    const CliRun onnx = run_twinflow({"export", dir, "--format", "onnx", "-o", tmp.path("t.onnx")});
    CHECK(onnx.status == 1);
    CHECK(onnx.err.find("adds subword vectors") != std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::testing
