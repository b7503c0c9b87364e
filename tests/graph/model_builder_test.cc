// ModelBuilder: the models that ship, declared in C++, are the specs their YAML files give and
// build into the same graphs; sharing and padding masks come with it; mistakes are named.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "graph/model/builder.h"
#include "graph/model/summary.h"
#include "graph/spec/spec.h"

namespace twinflow::graph {
namespace {

ModelSpec shipped(const std::string& name) {
  Diagnostics diags;
  std::optional<ModelSpec> spec =
      parse_spec_file(std::string(TWINFLOW_SOURCE_DIR) + "/models/" + name + ".yaml", diags);
  REQUIRE_MESSAGE(spec.has_value(), diags.to_string());
  return std::move(*spec);
}

// models/cosine_siamese.yaml, written with the builder.
ModelBuilder cosine_siamese() {
  ModelBuilder b("cosine_siamese");
  const Ref left = b.ids_input("left", 30);
  const Ref right = b.ids_input("right", 30);
  const Ref label = b.input("label", Shape{1});
  const LayerRef emb = b.layer("emb", EmbeddingAttrs{20000, 100, true});
  const LayerRef bilstm =
      b.layer("bilstm",
              BidirectionalAttrs{LstmAttrs{.units = 50, .dropout = 0.2, .recurrent_dropout = 0.2}});
  const LayerRef similarity =
      b.lambda("similarity", {"a", "b"}, "exponent_neg_cosine_distance(a, b)");
  const LayerRef head = b.layer("head", DenseAttrs{1, Activation::kSigmoid});
  b.set_initializer(head, "kernel", Init::kOnes);
  const Ref x1 = b.def("x1", bilstm(emb(left)));
  const Ref x2 = b.def("x2", bilstm(emb(right)));
  const Ref pred = b.def("pred", head(similarity(x1, x2)));
  b.output(pred);
  b.binary_crossentropy(pred, label);
  return b;
}

// models/triplet_distance.yaml: a Sequential tower and a Lambda with two outputs.
ModelBuilder triplet_distance() {
  ModelBuilder b("triplet_distance");
  const Ref anchor = b.ids_input("anchor", 30);
  const Ref positive = b.ids_input("positive", 30);
  const Ref negative = b.ids_input("negative", 30);
  const LayerRef emb = b.layer("emb", EmbeddingAttrs{20000, 100, true});
  const LayerRef bilstm =
      b.layer("bilstm",
              BidirectionalAttrs{LstmAttrs{.units = 50, .dropout = 0.2, .recurrent_dropout = 0.2}});
  const LayerRef hidden = b.layer("hidden", DenseAttrs{64, Activation::kRelu});
  const LayerRef out = b.layer("out", DenseAttrs{64, Activation::kSigmoid});
  const LayerRef tower = b.sequential("tower", {emb, bilstm, hidden, out});
  const LayerRef distance =
      b.lambda("distance", {"anchor", "positive", "negative"},
               std::vector<std::string>{"sum(square(anchor - positive), -1)",
                                        "sum(square(anchor - negative), -1)"});
  const Ref a = b.def("anchor_vec", tower(anchor));
  const Ref p = b.def("positive_vec", tower(positive));
  const Ref n = b.def("negative_vec", tower(negative));
  const std::vector<Ref> d = b.defs({"ap_distance", "an_distance"}, distance(a, p, n));
  b.output(d[0]);
  b.output(d[1]);
  b.loss_expression("mean(maximum(ap_distance - an_distance + 0.4, 0))");
  return b;
}

// "name Op [shape] <- inputs" for every node, in insertion order.
std::vector<std::string> nodes_of(const Graph& g) {
  std::vector<std::string> out;
  for (const Node& n : g.nodes()) {
    std::string line =
        n.name + " " + std::string(n.op->name) + " " + g.value(n.output).shape.to_string() + " <-";
    for (ValueId v : n.inputs) line += " " + g.value(v).name;
    out.push_back(line);
  }
  return out;
}

TEST_SUITE("graph.model") {
  TEST_CASE("a shipped model declared with ModelBuilder is the spec its YAML file gives") {
    for (const auto& [name, builder] : {std::pair{"cosine_siamese", cosine_siamese()},
                                        std::pair{"triplet_distance", triplet_distance()}}) {
      CAPTURE(name);
      const ModelSpec yaml = shipped(name);
      ModelBuilder b = builder;
      b.spec().train = yaml.train;  // training settings are not the builder's business
      CHECK(emit_spec(b.spec()) == emit_spec(yaml));
      // What a model directory keeps (spec.yaml) reads back.
      Diagnostics reread;
      CHECK_MESSAGE(parse_spec(emit_spec(b.spec()), "spec.yaml", reread).has_value(),
                    reread.to_string());

      Diagnostics yaml_diags, built_diags;
      const std::optional<Model> from_yaml = build_model(yaml, yaml_diags);
      const std::optional<Model> built = b.build(built_diags);
      REQUIRE_MESSAGE(built.has_value(), built_diags.to_string());
      REQUIRE(from_yaml.has_value());
      CHECK(built_diags.all().empty());
      CHECK(nodes_of(*built->graph) == nodes_of(*from_yaml->graph));
      CHECK(model_summary(*built) == model_summary(*from_yaml));
    }
  }

  TEST_CASE("a layer called in two definitions is one set of parameters, masks ride along") {
    ModelBuilder b("pair");
    const Ref left = b.ids_input("left", 6);
    const Ref right = b.ids_input("right", 6);
    const LayerRef emb = b.layer("emb", EmbeddingAttrs{50, 8, true});
    const LayerRef lstm = b.layer("lstm", LstmAttrs{.units = 5});
    const Ref x1 = b.def("x1", lstm(emb(left)));
    b.output(x1);
    b.output(b.def("x2", lstm(emb(right))));
    const Model m = b.build();
    const Graph& g = *m.graph;
    CHECK(g.layer(m.layer_id("emb")).uses.size() == 2);
    CHECK(g.layer(m.layer_id("lstm")).uses.size() == 2);
    CHECK(g.parameters().size() == 1 + 3);
    // Each LSTM node reads its branch's token ids as the padding mask, after the embedding.
    for (const char* branch : {"x1", "x2"}) {
      const Node& n = g.node(g.value(m.values.at(branch)).producer);
      REQUIRE(n.inputs.size() >= 2);
      CHECK(g.value(n.inputs[1]).name == (branch == std::string("x1") ? "left" : "right"));
    }
    CHECK(x1.text == "x1");
    CHECK(emb(left).text == "emb(left)");
  }

  TEST_CASE("the builder names what is wrong: a bad name at once, the rest when building") {
    ModelBuilder b("bad");
    CHECK_THROWS_WITH_AS(b.ids_input("left side", 6),
                         "input name 'left side' must be an identifier ([A-Za-z_][A-Za-z0-9_]*)",
                         GraphError);
    CHECK_THROWS_WITH_AS(b.layer("x1.emb", EmbeddingAttrs{50, 8, true}),
                         "layer name 'x1.emb' must be an identifier ([A-Za-z_][A-Za-z0-9_]*)",
                         GraphError);
    const Ref ids = b.ids_input("ids", 6);
    const LayerRef emb = b.layer("emb", EmbeddingAttrs{50, 8, true});
    const LayerRef head = b.layer("head", "Dens", DenseAttrs{1});
    CHECK_THROWS_WITH_AS(b.output(emb(ids)),
                         "the output must be a named value, not the call emb(ids): name it with "
                         "def()",
                         GraphError);
    b.output(b.def("y", head(emb(ids))));
    Diagnostics diags;
    CHECK_FALSE(b.build(diags).has_value());
    REQUIRE(diags.error_count() == 1);
    CHECK(diags.all()[0].to_string() ==
          "error: layer 'head' has unknown op 'Dens' (did you mean 'Dense'?)");
    CHECK_THROWS_WITH_AS(b.build(),
                         "model 'bad' does not build:\n"
                         "error: layer 'head' has unknown op 'Dens' (did you mean 'Dense'?)\n",
                         GraphError);
  }

  TEST_CASE("an initializer set twice keeps the last; one for a missing parameter is an error") {
    ModelBuilder b("init");
    const Ref x = b.input("x", Shape{4});
    const LayerRef dense = b.layer("dense", DenseAttrs{2});
    b.set_initializer(dense, "kernel", Init::kZeros);
    b.set_initializer(dense, "kernel", Init::kOnes);
    b.set_initializer(dense, "embeddings", Init::kOnes);
    b.output(b.def("y", dense(x)));
    REQUIRE(b.spec().layers[0].initializers.size() == 2);
    CHECK(b.spec().layers[0].initializers[0].second == Initializer(Init::kOnes));
    Diagnostics diags;
    CHECK_FALSE(b.build(diags).has_value());
    CHECK(diags.to_string().find("layer 'dense' (Dense) has no parameter 'embeddings'") !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::graph
