// --backward: the reverse pass drawn as the tape runs it. Counts worked out by hand; one sum
// node wherever gradients meet, with one incoming edge per term; frozen layers greyed.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "tests/viz/viz_testing.h"
#include "tools/viz/backward_view.h"

namespace twinflow::testing {
namespace {

viz::ParsedDot backward(const graph::Model& m, const viz::ViewOptions& options = {}) {
  return viz::parse_dot(viz::to_dot(viz::backward_view(m, viz::forward_view(m, options))));
}

graph::Model model_from_text(const std::string& text) {
  graph::Diagnostics diags;
  std::optional<graph::ModelSpec> spec = graph::parse_spec(text, "frozen.yaml", diags);
  REQUIRE_MESSAGE(spec.has_value(), diags.to_string());
  std::optional<graph::Model> m = graph::build_model(*spec, diags);
  REQUIRE_MESSAGE(m.has_value(), diags.to_string());
  return std::move(*m);
}

std::string read_source(const std::string& relative) {
  std::ifstream in(source_path(relative));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_SUITE("viz.backward") {
  TEST_CASE("sums_frozen: the shared LSTM's gradients meet in a sum; the frozen embedding's stop") {
    const viz::ParsedDot dot = backward(shipped_model("variants/sums_frozen"));
    // seed; VJPs of loss, pred, similarity, x2, x1 (5; the embedding is frozen, so nothing
    // below the LSTMs is differentiated); the sum for bilstm, applied twice (1); parameter
    // nodes emb, bilstm, head (3) = 10.
    CHECK(drawn_nodes(dot) == 10);
    // seed -> loss -> pred -> similarity -> x1, x2 (5 value gradients); x1 and x2 -> emb,
    // dotted, where its gradient would flow (2); bilstm: 2 into its sum, 1 out (3); pred ->
    // head (1) = 11.
    CHECK(dot.edges.size() == 11);
    CHECK(count_nodes_with_prefix(dot, "sum:") == 1);
    CHECK(edges_into(dot, "sum:param:bilstm") == 2);
    CHECK(edges_into(dot, "param:head") == 1);  // one use: no sum
    CHECK(attr(dot, "sum:param:bilstm", "shape") == "circle");
    CHECK(attr(dot, "sum:param:bilstm", "label") == "+");
    CHECK(attr(dot, "param:emb", "fillcolor") == "#d9d9d9");
    CHECK(attr(dot, "param:emb", "style").find("dashed") != std::string::npos);
    CHECK(attr(dot, "param:emb", "label").find("frozen") != std::string::npos);
    CHECK(dot.nodes.count("grad:op:x1.emb") == 0);
    CHECK(dot.nodes.count("sum:param:emb") == 0);
    CHECK(edges_into(dot, "param:emb") == 2);
    for (const viz::ParsedEdge& e : dot.edges)
      if (e.head == "param:emb") CHECK(e.attrs.at("style") == "dotted");
    // Token ids and the label get no gradient.
    CHECK(count_nodes_with_prefix(dot, "in:") == 0);
    // The forward drawing's legend says the embedding is frozen too.
    const viz::ParsedDot fwd =
        viz::parse_dot(viz::to_dot(viz::forward_view(shipped_model("variants/sums_frozen"), {})));
    CHECK(attr(fwd, "legend", "label").find("frozen") != std::string::npos);
  }

  TEST_CASE("triplet: one sum per fan-in, for values read several times and for parameters") {
    const graph::Model m = shipped_model("triplet");
    viz::ParsedDot dot = backward(m);
    // seed; VJPs of loss, n, p, a, embeddings and the 3 towers (8); sums: embeddings read by
    // the 3 slices, and emb, bilstm, hidden, out each used by 3 towers (5); parameters (4).
    CHECK(drawn_nodes(dot) == 18);
    // seed 1; loss -> a, p, n 3; a, p, n -> sum 3, sum -> embeddings 1; embeddings -> towers
    // 3; per layer 3 into its sum and 1 out = 16. Total 27.
    CHECK(dot.edges.size() == 27);
    CHECK(edges_into(dot, "sum:embeddings") == 3);
    for (const char* layer : {"emb", "bilstm", "hidden", "out"})
      CHECK(edges_into(dot, std::string("sum:param:") + layer) == 3);

    // Expanded, `a` is read by the loss's two Subs: its gradient is a sum of two, and the
    // Bidirectional's input x feeds its forward LSTM and the reversal: a sum of two in each.
    dot = backward(m, {.expand_all = true});
    CHECK(edges_into(dot, "sum:a") == 2);
    CHECK(dot.nodes.count("sum:n") == 0);  // n is read once
    CHECK(edges_into(dot, "sum:anchor_vec/emb") == 2);
    // The forward and backward LSTMs of 3 towers all send to bilstm's parameters.
    CHECK(edges_into(dot, "sum:param:bilstm") == 6);
  }

  TEST_CASE("a trainable shared embedding's gradients meet in a sum node") {
    const std::string spec = read_source("models/cosine_siamese.yaml");
    REQUIRE(spec.find("trainable: false") == std::string::npos);  // the shipped embedding trains
    const viz::ParsedDot dot = backward(model_from_text(spec));
    // seed; VJPs of loss, pred, similarity, x2, x2.emb, x1, x1.emb (7); sums for emb and
    // bilstm, each applied twice (2); parameter nodes emb, bilstm, head (3) = 13.
    CHECK(drawn_nodes(dot) == 13);
    // seed -> loss; loss -> pred -> similarity -> x1, x2; x1 -> x1.emb; x2 -> x2.emb (7 value
    // gradients); emb and bilstm: 2 into each sum, 1 out (6); pred -> head (1) = 14.
    CHECK(dot.edges.size() == 14);
    CHECK(count_nodes_with_prefix(dot, "sum:") == 2);
    CHECK(edges_into(dot, "sum:param:emb") == 2);
    CHECK(edges_into(dot, "sum:param:bilstm") == 2);
    CHECK(edges_into(dot, "param:emb") == 1);
    CHECK(attr(dot, "sum:param:emb", "shape") == "circle");
    CHECK(attr(dot, "param:emb", "label").find("frozen") == std::string::npos);
  }
}

}  // namespace twinflow::testing
