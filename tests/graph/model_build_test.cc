// build_model on the networks it must serve: the graphs it makes (sharing, node names, masks,
// parameter counts worked out by hand) and their equality with the C++ reference models.
#include <doctest/doctest.h>

#include <algorithm>

#include "graph/model/model.h"
#include "runtime/exec/reference_models.h"
#include "tests/graph/spec_builders.h"

namespace twinflow::graph {
namespace {

using namespace testing;

int64_t layer_params(const Model& m, const std::string& layer) {
  int64_t total = 0;
  for (ValueId p : m.graph->layer(m.layer_id(layer)).params)
    total += m.graph->value(p).shape.num_elements();
  return total;
}

const Node& node_named(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes())
    if (n.name == name) return n;
  throw GraphError("no node " + name);
}

// "Op [shape]" for every node, in insertion order.
std::vector<std::string> op_sequence(const Graph& g) {
  std::vector<std::string> out;
  for (const Node& n : g.nodes())
    out.push_back(std::string(n.op->name) + " " + g.value(n.output).shape.to_string());
  return out;
}

std::vector<std::string> parameter_list(const Graph& g) {
  std::vector<std::string> out;
  for (ValueId p : g.parameters())
    out.push_back(g.value(p).name + " " + g.value(p).shape.to_string());
  return out;
}

TEST_SUITE("graph.model") {
  TEST_CASE("the cosine Siamese shares one embedding and one Bidirectional between branches") {
    Diagnostics diags;
    const Model m = build_ok(small_cosine_siamese(), diags);
    const Graph& g = *m.graph;
    CHECK(diags.all().empty());
    // emb.embeddings, bilstm.{forward,backward}.{kernel,recurrent_kernel,bias}, head.*
    CHECK(g.parameters().size() == 1 + 6 + 2);
    CHECK(g.layer(m.layer_id("emb")).params.size() == 1);
    CHECK(g.layer(m.layer_id("bilstm")).params.size() == 6);
    CHECK(g.layer(m.layer_id("emb")).uses.size() == 2);
    CHECK(g.layer(m.layer_id("bilstm")).uses.size() == 2);
    CHECK(layer_params(m, "emb") == 50 * 8);
    CHECK(layer_params(m, "bilstm") == 2 * 4 * 5 * (8 + 5 + 1));  // 4u(in + u + 1) each way
    CHECK(layer_params(m, "head") == 1 * 1 + 1);
    CHECK(g.value(m.values.at("x1")).shape == Shape{kBatch, 10});
    CHECK(g.value(m.values.at("pred")).shape == Shape{kBatch, 1});
    REQUIRE(m.loss);
    CHECK(g.value(*m.loss).shape == Shape{});
    CHECK(g.value(*m.loss).name == "loss");
    REQUIRE(m.outputs.size() == 1);
    CHECK(m.outputs[0] == m.values.at("pred"));
  }

  TEST_CASE("nested calls are named after their definition, a Lambda is scoped by its call") {
    Diagnostics diags;
    const Model m = build_ok(small_cosine_siamese(), diags);
    std::vector<std::string> apps;
    for (const Application& a : m.applications) apps.push_back(a.name + ":" + a.layer);
    CHECK(apps == std::vector<std::string>{"x1.emb:emb", "x1:bilstm", "x2.emb:emb", "x2:bilstm",
                                           "pred.dist:dist", "pred:head"});
    CHECK(m.applications[1].inputs == std::vector<std::string>{"x1.emb"});
    CHECK(m.applications[4].inputs == std::vector<std::string>{"x1", "x2"});
    CHECK(m.applications[4].loc.column == kDefColumn + 5);  // "head(dist(" — dist at offset 5
    const Graph& g = *m.graph;
    CHECK(node_named(g, "x1").op->name == "Bidirectional");
    CHECK(node_named(g, "x1.emb").op->name == "Embedding");
    CHECK(g.node(g.value(m.values.at("x1")).producer).layer == m.layer_id("bilstm"));
    const NodeId dist_out = g.value(m.applications[4].outputs[0]).producer;
    CHECK(g.node(dist_out).scope == "pred.dist");
    CHECK(g.node(dist_out).name.starts_with("pred.dist/"));
  }

  TEST_CASE("the padding mask of Embedding(mask_zero) reaches the Bidirectional") {
    Diagnostics diags;
    const Model m = build_ok(small_cosine_siamese(), diags);
    const Graph& g = *m.graph;
    const Node& x1 = node_named(g, "x1");
    REQUIRE(x1.inputs.size() == 2 + 6);  // x, ids, six parameters
    CHECK(x1.inputs[1] == m.values.at("left"));
    CHECK(node_named(g, "x2").inputs[1] == m.values.at("right"));

    ModelSpec unmasked = small_cosine_siamese();
    unmasked.layers[0] = embedding("emb", 50, 8, false, 6);
    const Model u = build_ok(unmasked, diags);
    CHECK(node_named(*u.graph, "x1").inputs.size() == 1 + 6);
  }

  TEST_CASE("the mask passes through Dense and a sequence-returning LSTM, not past the last") {
    ModelSpec s;
    s.inputs = {ids_input("ids", 6, 2)};
    LstmAttrs seq;
    seq.units = 3;
    seq.return_sequences = true;
    LstmAttrs last;
    last.units = 2;
    s.layers = {embedding("emb", 20, 4, true, 4), dense("proj", 5, Activation::kTanh, 5),
                layer("l1", "LSTM", seq, 6), layer("l2", "LSTM", last, 7),
                dense("head", 1, Activation::kLinear, 8)};
    s.defs = {def("h", "l2(l1(proj(emb(ids))))", 10), def("y", "head(h)", 11)};
    s.outputs = {ref("y", 12)};
    Diagnostics diags;
    const Model m = build_ok(s, diags);
    const Graph& g = *m.graph;
    const ValueId ids = m.values.at("ids");
    CHECK(node_named(g, "h.l1").inputs[1] == ids);  // through Dense [B, 6, 5]
    CHECK(node_named(g, "h").inputs[1] == ids);     // through LSTM(return_sequences)
    CHECK(node_named(g, "h").inputs.size() == 2 + 3);
    CHECK(node_named(g, "y").inputs.size() == 1 + 2);  // [B, 2]: no steps left, no mask
  }

  TEST_CASE("the Siamese built from its spec equals runtime::cosine_siamese") {
    Diagnostics diags;
    const Model m = build_ok(small_cosine_siamese(), diags);
    const runtime::ReferenceModel ref = runtime::cosine_siamese({50, 8, 6, 5, 0.0, 0.0});
    CHECK(op_sequence(*m.graph) == op_sequence(*ref.graph));
    CHECK(parameter_list(*m.graph) == parameter_list(*ref.graph));
    CHECK(m.graph->value(*m.loss).shape == ref.graph->value(ref.loss).shape);
    CHECK(m.graph->node(m.graph->value(*m.loss).producer).inputs ==
          std::vector<ValueId>{m.values.at("pred"), m.values.at("label")});
  }

  TEST_CASE("a Sequential tower applied three times shares its layers, as in the reference") {
    Diagnostics diags;
    const Model m = build_ok(small_triplet(), diags);
    const Graph& g = *m.graph;
    CHECK(diags.all().empty());
    for (const char* name : {"emb", "bilstm", "hidden", "out"})
      CHECK(g.layer(m.layer_id(name)).uses.size() == 3);
    CHECK(node_named(g, "a/emb").scope == "a");
    CHECK(node_named(g, "a/bilstm").inputs[1] == m.values.at("anchor"));  // mask in the tower
    CHECK(node_named(g, "a/hidden").op->name == "Dense");
    CHECK(node_named(g, "a").scope == "a");
    CHECK(m.values.at("a") == node_named(g, "a").output);
    CHECK(g.value(m.values.at("z")).shape == Shape{kBatch, 12});
    // Slice part k of 3 of width 12 is [4k, 4k + 4).
    const auto& third = std::any_cast<const SliceAttrs&>(node_named(g, "tn").attrs);
    CHECK(third.begin == 8);
    CHECK(third.end == 12);
    REQUIRE(m.loss);
    CHECK(g.value(*m.loss).shape == Shape{});
    CHECK(g.node(g.value(*m.loss).producer).scope == "loss");
    // The hidden Dense reads [B, 10]: 10·7 + 7; out: 7·4 + 4.
    CHECK(layer_params(m, "hidden") == 10 * 7 + 7);
    CHECK(layer_params(m, "out") == 7 * 4 + 4);

    runtime::TripletConfig config;
    config.vocab = 50;
    config.embed_dim = 8;
    config.seq_len = 6;
    config.units = 5;
    config.hidden = 7;
    config.embedding = 4;
    const runtime::ReferenceModel ref = runtime::concatenated_triplet(config);
    CHECK(op_sequence(g) == op_sequence(*ref.graph));
    CHECK(parameter_list(g) == parameter_list(*ref.graph));
  }

  TEST_CASE("a Lambda with two expressions defines two names at once") {
    ModelSpec s;
    s.inputs = {real_input("a", Shape{4}, 2), real_input("p", Shape{4}, 3),
                real_input("n", Shape{4}, 4)};
    s.layers = {lambda("distance", {"a", "p", "n"},
                       {"sum(square(a - p), -1)", "sum(square(a - n), -1)"}, 6)};
    s.defs = {multi_def({"ap", "an"}, "distance(a, p, n)", 9)};
    s.outputs = {ref("ap", 10), ref("an", 10, 20)};
    s.loss = expression_loss("mean(max(ap - an + 0.4, 0))", 11);
    Diagnostics diags;
    const Model m = build_ok(s, diags);
    const Graph& g = *m.graph;
    CHECK(g.value(m.values.at("ap")).shape == Shape{kBatch});
    CHECK(g.value(m.values.at("an")).shape == Shape{kBatch});
    CHECK(m.values.at("ap") != m.values.at("an"));
    REQUIRE(m.applications.size() == 1);
    CHECK(m.applications[0].outputs.size() == 2);
    CHECK(g.node(g.value(m.values.at("an")).producer).scope == "ap,an");
    CHECK(g.value(*m.loss).shape == Shape{});
    CHECK(m.outputs.size() == 2);
  }

  TEST_CASE("a Manhattan Siamese with a built-in distance and a contrastive loss") {
    ModelSpec s = small_cosine_siamese();
    s.layers[2] = lambda("dist", {"a", "b"}, {"exponent_neg_manhattan_distance"}, 8);
    s.defs[2] = def("d", "dist(x1, x2)", 13);
    s.outputs = {ref("d", 14)};
    s.loss = builtin_loss("contrastive", {{"distance", ref("d", 15)}, {"target", ref("label", 15)}},
                          ContrastiveAttrs{0.5}, 15);
    Diagnostics diags;
    const Model m = build_ok(s, diags);
    const Graph& g = *m.graph;
    CHECK(g.value(m.values.at("d")).shape == Shape{kBatch, 1});
    CHECK(g.node(g.value(m.values.at("d")).producer).scope == "d");
    const Node& loss = g.node(g.value(*m.loss).producer);
    CHECK(loss.op->name == "Contrastive");
    CHECK(std::any_cast<const ContrastiveAttrs&>(loss.attrs).margin == 0.5);
    // The unused head gets no parameters; nothing else changed.
    CHECK(g.layer(m.layer_id("head")).params.empty());
    CHECK(g.parameters().size() == 1 + 6);
  }

  TEST_CASE("initializers from the spec replace the op's defaults, in both LSTM directions") {
    ModelSpec s = small_cosine_siamese();
    s.layers[1].initializers = {{"kernel", Initializer{Init::kConstant, 0.25}}};
    Diagnostics diags;
    const Model m = build_ok(s, diags);
    const Graph& g = *m.graph;
    int constant = 0;
    for (ValueId p : g.layer(m.layer_id("bilstm")).params)
      if (g.value(p).param.init == Initializer{Init::kConstant, 0.25}) ++constant;
    CHECK(constant == 2);  // forward.kernel and backward.kernel
  }

  TEST_CASE("graph definitions may be written in any order") {
    ModelSpec s = small_cosine_siamese();
    std::reverse(s.defs.begin(), s.defs.end());
    Diagnostics diags;
    const Model m = build_ok(s, diags);
    CHECK(m.graph->value(m.values.at("pred")).shape == Shape{kBatch, 1});
  }

  TEST_CASE("a nested Sequential opens a scope inside its parent's") {
    ModelSpec s;
    s.inputs = {real_input("x", Shape{3}, 2)};
    s.layers = {dense("d1", 4, Activation::kRelu, 4), dense("d2", 5, Activation::kRelu, 5),
                lambda("twice", {"v"}, {"v * 2"}, 6), sequential("inner", {"d2", "twice"}, 7),
                sequential("outer", {"d1", "inner"}, 8)};
    s.defs = {def("y", "outer(x)", 10)};
    s.outputs = {ref("y", 11)};
    Diagnostics diags;
    const Model m = build_ok(s, diags);
    const Graph& g = *m.graph;
    CHECK(node_named(g, "y/d1").scope == "y");
    CHECK(node_named(g, "y/inner/d2").scope == "y/inner");
    CHECK(g.value(m.values.at("y")).shape == Shape{kBatch, 5});
    CHECK(g.node(g.value(m.values.at("y")).producer).op->name == "Mul");
    REQUIRE(m.applications.size() == 1);
    CHECK(m.applications[0].op == "Sequential");
  }
}

}  // namespace
}  // namespace twinflow::graph
