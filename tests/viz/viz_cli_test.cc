// `twinflow viz` end to end: every output format, the command line's errors, and --stats on a
// tiny cosine Siamese network trained here for one epoch.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"
#include "tools/viz/graphviz_render.h"

namespace twinflow::testing {
namespace {

constexpr std::string_view kTinySpec = R"yaml(model: tiny_pairs
inputs:
  left:  {shape: [12], dtype: int32}
  right: {shape: [12], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb: {op: Embedding, vocab: 3000, dim: 8, mask_zero: true}
  bilstm: {op: Bidirectional, layer: {op: LSTM, units: 4}}
  similarity: {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head: {op: Dense, units: 1, activation: sigmoid}
graph:
  x1: bilstm(emb(left))
  x2: bilstm(emb(right))
  pred: head(similarity(x1, x2))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train: {optimizer: {name: adam, lr: 0.01}, batch_size: 32, epochs: 1, seed: 3, data: train.tsv}
)yaml";

const std::string kCosine = source_path("models/cosine_siamese.yaml");

}  // namespace

TEST_SUITE("viz.cli") {
  TEST_CASE("each extension gives its format") {
    TempDir tmp;
    for (const char* ext : {".dot", ".svg", ".png", ".html"}) {
      CAPTURE(ext);
      const std::string out = tmp.path(std::string("model") + ext);
      const CliRun r = run_twinflow({"viz", kCosine, "-o", out, "--rankdir", "LR"});
      REQUIRE_MESSAGE(r.status == 0, r.err);
      CHECK(r.out.find("11 nodes, 12 edges") != std::string::npos);
      const std::string bytes = read_all(out);
      if (std::string(ext) == ".dot") {
        CHECK(viz::parse_dot(bytes).nodes.count("op:x1") == 1);
        CHECK(bytes.find("rankdir=LR") != std::string::npos);
      } else if (std::string(ext) == ".svg") {
        CHECK(bytes.rfind("<?xml", 0) == 0);
      } else if (std::string(ext) == ".png") {
        CHECK(bytes.substr(0, 4) == "\x89PNG");
      } else {
        CHECK(bytes.find("<svg") != std::string::npos);
        CHECK(bytes.find("op:x1.emb") != std::string::npos);  // the details' keys
        CHECK(bytes.find("exponent_neg_cosine_distance(a, b)") != std::string::npos);
      }
    }
  }

  TEST_CASE("command-line mistakes give clear messages") {
    TempDir tmp;
    CliRun r = run_twinflow({"viz", kCosine, "-o", tmp.path("model.jpg")});
    CHECK(r.status == 2);
    CHECK(r.err.find(".dot, .svg, .png, .html") != std::string::npos);
    CHECK(!std::filesystem::exists(tmp.path("model.jpg")));

    r = run_twinflow({"viz", kCosine, "-o", tmp.path("m.dot"), "--stats", tmp.path("x")});
    CHECK(r.status == 2);
    CHECK(r.err.find("--data") != std::string::npos);

    r = run_twinflow({"viz", kCosine, "-o", tmp.path("m.dot"), "--rankdir", "RL"});
    CHECK(r.status == 2);

    r = run_twinflow({"viz", kCosine, "-o", tmp.path("m.dot"), "--expand", "bilstn"});
    CHECK(r.status == 1);
    CHECK(r.err.find("did you mean 'bilstm'") != std::string::npos);

    r = run_twinflow({"viz", kCosine, "-o", tmp.path("m.dot"), "--stats", tmp.path("none"),
                      "--data", tmp.path("none.tsv")});
    CHECK(r.status == 1);
    CHECK(r.err.find("not a directory") != std::string::npos);
  }

  TEST_CASE("a spec with errors prints its diagnostics, as check does, and exits 1") {
    TempDir tmp;
    const std::string spec = tmp.write("bad.yaml", R"yaml(model: bad
inputs:
  left: {shape: [5], dtype: int32}
layers:
  emb: {op: Embedding, vocab: 10, dimm: 4}
graph:
  x: emb(left)
outputs: [x]
)yaml");
    const CliRun r = run_twinflow({"viz", spec, "-o", tmp.path("bad.png")});
    CHECK(r.status == 1);
    CHECK(r.err.find("bad.yaml:5:") != std::string::npos);
    CHECK(r.err.find("did you mean 'dim'") != std::string::npos);
    CHECK(!std::filesystem::exists(tmp.path("bad.png")));
  }

  TEST_CASE("--stats colours edges and parameters by the sizes of one batch") {
    TempDir tmp;
    tmp.write("train.tsv", head_of("data/pairs_train.tsv", 64));
    const std::string val = tmp.write("val.tsv", head_of("data/pairs_val.tsv", 16));
    const std::string spec = tmp.write("tiny.yaml", kTinySpec);
    const std::string dir = tmp.path("model");
    const CliRun train = run_twinflow({"train", spec, "--dtype", "float64", "--out", dir});
    REQUIRE_MESSAGE(train.status == 0, train.err);

    const std::string out = tmp.path("stats.dot");
    CliRun r = run_twinflow(
        {"viz", spec, "-o", out, "--group", "--stats", dir, "--data", val, "--rows", "8"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const viz::ParsedDot dot = viz::parse_dot(read_all(out));
    int coloured = 0;
    for (const viz::ParsedEdge& e : dot.edges) {
      if (e.tail != "op:x1.emb") continue;
      // The embedding's output is a sequence: its tooltip gives the gradient at every step.
      CHECK(e.attrs.at("tooltip").find("gradient rms by step") != std::string::npos);
      CHECK(e.attrs.at("tooltip").find("t11 ") != std::string::npos);
      ++coloured;
    }
    CHECK(coloured == 1);
    CHECK(dot.nodes.at("param:bilstm").at("tooltip").find("gradient rms") != std::string::npos);
    CHECK(dot.nodes.at("param:bilstm").at("fillcolor").find(' ') != std::string::npos);  // HSV

    r = run_twinflow(
        {"viz", spec, "-o", tmp.path("back.svg"), "--backward", "--stats", dir, "--data", val});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(read_all(tmp.path("back.svg")).find("gradient rms") != std::string::npos);

    // Statistics of another model are refused.
    r = run_twinflow({"viz", kCosine, "-o", tmp.path("x.dot"), "--stats", dir, "--data", val});
    CHECK(r.status == 1);
    CHECK(r.err.find("tiny_pairs") != std::string::npos);
  }
}

}  // namespace twinflow::testing
