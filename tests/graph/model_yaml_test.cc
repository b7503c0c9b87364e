// build_model on specs read from YAML (parse_spec): the shipped models build without a
// diagnostic, and errors point at the line and column of the text at fault.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "graph/model/model.h"
#include "graph/model/summary.h"
#include "graph/spec/spec.h"

namespace twinflow::graph {
namespace {

std::optional<Model> build_yaml(const std::string& text, Diagnostics& diags) {
  const std::optional<ModelSpec> spec = parse_spec(text, "s.yaml", diags);
  REQUIRE_MESSAGE(spec.has_value(), diags.to_string());
  return build_model(*spec, diags);
}

// The docs' cosine Siamese at small sizes; the Lambda is on line 9, the graph on lines 12-14,
// the loss on line 16.
std::string siamese_yaml(const std::string& dist_expr, const std::string& graph,
                         const std::string& loss) {
  return fmt::format(R"Y(model: cosine_siamese
inputs:
  left:  {{shape: [6], dtype: int32}}
  right: {{shape: [6], dtype: int32}}
  label: {{shape: [1], dtype: float32}}
layers:
  emb:    {{op: Embedding, vocab: 50, dim: 8, mask_zero: true}}
  bilstm: {{op: Bidirectional, layer: {{op: LSTM, units: 5}}}}
  dist:   {{op: Lambda, args: [a, b], expr: "{}"}}
  head:   {{op: Dense, units: 1, activation: sigmoid}}
graph:
{}outputs: [pred]
loss: {}
)Y",
                     dist_expr, graph, loss);
}

const std::string kGraph =
    "  x1:   bilstm(emb(left))\n"
    "  x2:   bilstm(emb(right))\n"
    "  pred: head(dist(x1, x2))\n";
const std::string kLoss = "{op: binary_crossentropy, pred: pred, target: label}";
const std::string kCosine = "exp(-(1 - cosine(a, b)))";

TEST_SUITE("graph.model") {
  TEST_CASE("the docs' Siamese read from YAML builds like the one written in C++") {
    Diagnostics diags;
    const std::optional<Model> m = build_yaml(siamese_yaml(kCosine, kGraph, kLoss), diags);
    REQUIRE_MESSAGE(m.has_value(), diags.to_string());
    CHECK(diags.all().empty());
    CHECK(m->graph->parameters().size() == 1 + 6 + 2);
    CHECK(m->graph->layer(m->layer_id("bilstm")).uses.size() == 2);
    CHECK(model_summary(*m).find("Total params: 962\n") != std::string::npos);
    CHECK(m->applications[0].loc.line == 12);
    CHECK(m->applications[0].loc.column == 16);  // emb( in "  x1:   bilstm(emb(left))"
  }

  TEST_CASE("the shipped models build without errors or warnings") {
    for (const char* path : {"models/cosine_siamese.yaml", "models/manhattan_siamese.yaml",
                             "models/triplet.yaml", "models/triplet_distance.yaml"}) {
      CAPTURE(path);
      Diagnostics diags;
      const std::optional<ModelSpec> spec =
          parse_spec_file(std::string(TWINFLOW_SOURCE_DIR) + "/" + path, diags);
      REQUIRE_MESSAGE(spec.has_value(), diags.to_string());
      const std::optional<Model> m = build_model(*spec, diags);
      CHECK_MESSAGE(m.has_value(), diags.to_string());
      CHECK_MESSAGE(diags.all().empty(), diags.to_string());
      if (m) CHECK(m->loss.has_value());
    }
  }

  TEST_CASE("independent mistakes in a YAML spec are reported together at their columns") {
    const std::string graph =
        "  x1:   bilstm(emb(lft))\n"
        "  x2:   bilstn(emb(right))\n"
        "  pred: head(dist(x1, x2))\n";
    Diagnostics diags;
    CHECK_FALSE(build_yaml(siamese_yaml("exp(-(1 - cosin(a, b)))", graph, kLoss), diags));
    CHECK(diags.to_string() ==
          "s.yaml:9:55: error: layer 'dist' (Lambda): unknown function 'cosin' (did you mean "
          "'cosine'?)\n"
          "s.yaml:12:20: error: undefined value 'lft' in graph.x1 (did you mean 'left'?)\n"
          "s.yaml:13:9: error: unknown layer 'bilstn' in graph.x2 (did you mean 'bilstm'?)\n");
  }

  TEST_CASE("a cycle and a bad loss in YAML") {
    const std::string graph =
        "  x1:   bilstm(emb(left))\n"
        "  x2:   head(pred)\n"
        "  pred: head(x2)\n";
    Diagnostics diags;
    CHECK_FALSE(
        build_yaml(siamese_yaml(kCosine, graph, "{op: expression, expr: \"sum(x1)\"}"), diags));
    INFO(diags.to_string());
    REQUIRE(diags.error_count() == 2);
    CHECK(diags.all()[0].loc.line == 13);
    CHECK(diags.all()[0].message.find("x2 -> pred -> x2") != std::string::npos);
    CHECK(diags.all()[1].loc.line == 16);
    CHECK(diags.all()[1].message.find("the loss must be a scalar") == 0);
  }
}

}  // namespace
}  // namespace twinflow::graph
