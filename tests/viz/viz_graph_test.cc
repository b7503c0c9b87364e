// The forward drawings of the four shipped models: node, edge and cluster counts worked out
// by hand from each spec, shared layers marked and coloured alike, composites collapsed and
// expanded, and --group's parameter nodes. Every drawing is parsed back by Graphviz.
#include <doctest/doctest.h>

#include <set>
#include <stdexcept>

#include "tests/viz/viz_testing.h"

namespace twinflow::testing {
namespace {

struct Expected {
  std::string model;
  int nodes;  // without the legend
  int edges;
  int clusters;
};

viz::ParsedDot draw(const std::string& name, const viz::ViewOptions& options = {}) {
  const graph::Model m = shipped_model(name);
  return viz::parse_dot(viz::to_dot(viz::forward_view(m, options)));
}

// The fill colour of every node whose label marks it shared ×uses.
std::set<std::string> fills_of_shared(const viz::ParsedDot& dot, const std::string& prefix,
                                      int uses, int& count) {
  std::set<std::string> fills;
  count = 0;
  for (const auto& [id, attrs] : dot.nodes) {
    if (id.rfind(prefix, 0) != 0) continue;
    if (attrs.at("label").find("shared ×" + std::to_string(uses)) == std::string::npos) continue;
    fills.insert(attrs.at("fillcolor"));
    ++count;
  }
  return fills;
}

}  // namespace

TEST_SUITE("viz.forward") {
  TEST_CASE("collapsed drawings of the shipped models have the nodes and edges counted by hand") {
    const std::vector<Expected> expected = {
        // cosine_siamese: inputs left, right, label; x1.emb, x1 (Bidirectional, collapsed),
        // x2.emb, x2, pred.similarity (Lambda, collapsed), pred, loss; output pred = 11.
        // Edges: left -> x1.emb, left -> x1 (mask), x1.emb -> x1, the same three for right,
        // x1 -> similarity, x2 -> similarity, similarity -> pred, pred -> loss, label -> loss,
        // pred -> output = 12.
        {"cosine_siamese", 11, 12, 0},
        // manhattan_siamese: inputs 3; h1.emb, h1 (LSTM), h2.emb, h2; pred (the Lambda,
        // collapsed); loss; output pred = 10. Edges: 3 per branch (ids, mask, embedding ->
        // LSTM) = 6; h1, h2 -> pred; pred -> loss; label -> loss; pred -> output = 11.
        {"manhattan_siamese", 10, 11, 0},
        // triplet: inputs 3; the tower applied 3 times (collapsed Sequentials); embeddings
        // (Concatenate); a, p, n (Slice); the expression loss (collapsed); output embeddings
        // = 12. Edges: input -> tower 3 (ids and mask are one edge into the box); towers ->
        // embeddings 3; embeddings -> a, p, n 3; a, p, n -> loss 3; embeddings -> output = 13.
        {"triplet", 12, 13, 0},
        // triplet_distance: inputs 3; towers 3; the distance Lambda (two outputs); the loss;
        // outputs ap_distance, an_distance = 10. Edges: input -> tower 3; towers -> distance
        // 3 (anchor_vec is read twice inside: one edge); distance -> loss 2 (its two
        // outputs); distance -> each output 2 = 10.
        {"triplet_distance", 10, 10, 0},
    };
    for (const Expected& e : expected) {
      CAPTURE(e.model);
      const viz::ParsedDot dot = draw(e.model);
      CHECK(drawn_nodes(dot) == e.nodes);
      CHECK(dot.edges.size() == static_cast<size_t>(e.edges));
      CHECK(dot.clusters.size() == static_cast<size_t>(e.clusters));
      CHECK(dot.nodes.count("legend") == 1);
    }
  }

  TEST_CASE("every application of a shared layer has its colour and 'shared ×N'") {
    int count = 0;
    viz::ParsedDot dot = draw("cosine_siamese");
    // emb and bilstm are each applied twice: both uses marked, one colour per layer.
    const std::set<std::string> siamese = fills_of_shared(dot, "op:x", 2, count);
    CHECK(count == 4);
    CHECK(siamese.size() == 2);
    CHECK(attr(dot, "op:x1.emb", "fillcolor") == attr(dot, "op:x2.emb", "fillcolor"));
    CHECK(attr(dot, "op:x1", "fillcolor") == attr(dot, "op:x2", "fillcolor"));
    CHECK(attr(dot, "op:x1", "fillcolor") != attr(dot, "op:x1.emb", "fillcolor"));
    CHECK(attr(dot, "op:pred", "label").find("shared") == std::string::npos);
    // The legend lists emb, bilstm and head with their parameter counts.
    const std::string legend = attr(dot, "legend", "label");
    for (const char* row : {"2,000,000", "60,400", ">2<", "emb", "bilstm", "head"})
      CHECK_MESSAGE(legend.find(row) != std::string::npos, row);

    dot = draw("triplet");
    CHECK(fills_of_shared(dot, "cmp:", 3, count).size() == 1);  // the tower, applied 3 times
    CHECK(count == 3);
    dot = draw("triplet", {.expand_all = true});
    // Expanded, the tower's four layers show, each shared ×3 in its own colour (the LSTMs of
    // the Bidirectional carry bilstm's colour too).
    CHECK(fills_of_shared(dot, "op:", 3, count).size() == 4);
    CHECK(count == 3 * 5);  // emb, forward, backward, hidden, out per tower
  }

  TEST_CASE("inputs, outputs and the loss stand apart by shape") {
    // The variant whose Lambda sums over time: an expression long enough to wrap.
    const viz::ParsedDot dot = draw("variants/sums_frozen");
    CHECK(attr(dot, "in:left", "shape") == "invhouse");
    CHECK(attr(dot, "out:pred", "shape") == "house");
    CHECK(attr(dot, "op:loss", "shape") == "octagon");
    CHECK(attr(dot, "op:pred", "shape") == "box");
    CHECK(attr(dot, "cmp:pred.similarity", "shape") == "box3d");
    // Edges carry shapes with B and T; the Lambda shows its expression.
    bool sequence = false;
    for (const viz::ParsedEdge& e : dot.edges)
      sequence |= e.tail == "op:x1.emb" && e.attrs.at("label") == "[B, T=30, 100]";
    CHECK(sequence);
    // The expression, wrapped after its first argument.
    const std::string lambda = attr(dot, "cmp:pred.similarity", "label");
    CHECK(lambda.find("exp(-(1 - cosine(sum(a, axis=1),") != std::string::npos);
    CHECK(lambda.find("sum(b, axis=1))))") != std::string::npos);
  }

  TEST_CASE("--expand opens composites down to primitive nodes") {
    // sums_frozen (the cosine network whose BiLSTM returns every step) expanded: 3 inputs, x1.emb
    // and x2.emb, each Bidirectional as forward, reverse, backward, unreverse (its sequence back in
    // the text's order), merge (10), the Lambda's two ReduceSums, Cosine, Sub, Neg, Exp (6), pred,
    // loss and the output = 24. Edges per branch: ids -> embedding, embedding -> forward and ->
    // reverse, reverse -> backward -> unreverse, forward and unreverse -> merge, the mask into
    // forward, reverse and backward = 10, so 20; merges -> ReduceSum 2, ReduceSum -> Cosine 2,
    // Cosine -> Sub -> Neg
    // -> Exp -> pred 4, pred -> loss, label -> loss, pred -> output = 31. Clusters: the Lambda
    // and the two Bidirectionals.
    viz::ParsedDot dot = draw("variants/sums_frozen", {.expand_all = true});
    CHECK(drawn_nodes(dot) == 24);
    CHECK(dot.edges.size() == 31);
    CHECK(dot.clusters.size() == 3);
    CHECK(dot.nodes.count("op:x1/backward") == 1);
    CHECK(attr(dot, "op:pred.similarity/Sub0", "label").find("1 − x") != std::string::npos);

    // triplet expanded: 3 inputs; per tower emb, the Bidirectional's 4, hidden, out = 7, so
    // 21; embeddings, a, p, n; the loss's 10 primitives; the output = 39. Edges per tower:
    // ids -> emb, 5 inside the Bidirectional, 3 mask edges, -> hidden, -> out = 11, so 33;
    // towers -> embeddings 3, -> a, p, n 3, into the two Subs 4, Sub -> Square -> ReduceSum
    // twice 4, ReduceSums -> Sub2 2, Sub2 -> Add -> Maximum -> ReduceMean 3, -> output 1 = 53.
    // Clusters: 3 towers, a Bidirectional in each, the loss.
    dot = draw("triplet", {.expand_all = true});
    CHECK(drawn_nodes(dot) == 39);
    CHECK(dot.edges.size() == 53);
    CHECK(dot.clusters.size() == 7);

    // By name: only the anchor tower opens, and by layer name every use of the tower.
    dot = draw("triplet", {.expand = {"anchor_vec"}});
    CHECK(dot.clusters.size() == 1);
    CHECK(dot.nodes.count("cmp:positive_vec") == 1);
    CHECK(dot.nodes.count("op:anchor_vec/hidden") == 1);
    dot = draw("triplet", {.expand = {"tower"}});
    CHECK(dot.clusters.size() == 3);
    CHECK(count_nodes_with_prefix(dot, "cmp:") == 1);              // the loss
    CHECK(attr(dot, "op:anchor_vec/bilstm", "shape") == "box3d");  // still collapsed
    dot = draw("triplet", {.expand = {"bilstm", "loss"}});
    CHECK(dot.clusters.size() == 1);  // the loss; the Bidirectionals sit in collapsed towers

    const graph::Model m = shipped_model("triplet");
    CHECK_THROWS_WITH_AS(viz::forward_view(m, {.expand = {"towr"}}),
                         doctest::Contains("did you mean 'tower'"), std::invalid_argument);
  }

  TEST_CASE("--group draws one parameter node per layer with an edge to each use") {
    viz::ParsedDot dot = draw("cosine_siamese", {.group = true});
    CHECK(count_nodes_with_prefix(dot, "param:") == 3);  // emb, bilstm, head
    CHECK(edges_from(dot, "param:emb") == 2);
    CHECK(edges_from(dot, "param:bilstm") == 2);
    CHECK(edges_from(dot, "param:head") == 1);
    CHECK(attr(dot, "param:bilstm", "shape") == "cylinder");
    dot = draw("triplet", {.group = true});
    CHECK(count_nodes_with_prefix(dot, "param:") == 4);  // emb, bilstm, hidden, out
    for (const char* layer : {"param:emb", "param:bilstm", "param:hidden", "param:out"})
      CHECK(edges_from(dot, layer) == 3);  // one per tower
    dot = draw("manhattan_siamese", {.group = true});
    CHECK(count_nodes_with_prefix(dot, "param:") == 2);
  }
}

}  // namespace twinflow::testing
