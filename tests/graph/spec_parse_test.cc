// parse_spec on valid specs: every section read into its typed field, every op declarable with
// its defaults, initializers and pretrained tables, and the places of names and expressions.
// Errors are in spec_errors_test.cc, emitting and round trips in spec_emit_test.cc.
#include <doctest/doctest.h>

#include <any>
#include <string>

#include "graph/ir/op_schema.h"
#include "graph/spec/layer_keys.h"
#include "graph/spec/layers.h"
#include "graph/spec/spec.h"
#include "tests/graph/spec_checks.h"

namespace twinflow::graph {
namespace {

using namespace testing;

// docs/spec.md's example, verbatim.
constexpr std::string_view kDocsExample = R"yaml(model: cosine_siamese
inputs:                                   # the batch axis is implicit
  left:  {shape: [30], dtype: int32}      # token ids, 0 = padding
  right: {shape: [30], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:                                   # each layer owns its parameters
  emb:    {op: Embedding, vocab: 20000, dim: 100, mask_zero: true}
  bilstm: {op: Bidirectional, merge: concat,
           layer: {op: LSTM, units: 50, dropout: 0.2, recurrent_dropout: 0.2}}
  dist:   {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head:   {op: Dense, units: 1, activation: sigmoid}
graph:                                    # calling a layer twice shares its parameters
  x1:   bilstm(emb(left))
  x2:   bilstm(emb(right))
  pred: head(dist(x1, x2))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train: {optimizer: {name: adam, lr: 0.001}, batch_size: 64, epochs: 5, metrics: [accuracy]}
)yaml";

// The one layer of a spec made by with_layers().
LayerSpec only_layer(std::string_view layer_line) {
  ModelSpec s = parse_ok(with_layers(layer_line));
  REQUIRE(s.layers.size() == 1);
  return s.layers[0];
}

template <class T>
T attrs_of_layer(std::string_view layer_line) {
  const LayerSpec l = only_layer(layer_line);
  INFO(l.op);
  REQUIRE(l.attrs.type() == typeid(T));
  return std::any_cast<T>(l.attrs);
}

TEST_SUITE("graph.spec") {
  TEST_CASE("the docs example reads into typed fields, with places") {
    const ModelSpec s = parse_ok(kDocsExample);
    CHECK(s.file == "t.yaml");
    CHECK(s.name == "cosine_siamese");
    REQUIRE(s.inputs.size() == 3);
    CHECK(s.inputs[0].name == "left");
    CHECK(s.inputs[0].shape == Shape{30});
    CHECK(s.inputs[0].dtype == DType::kInt32);
    CHECK(s.inputs[2].dtype == DType::kReal);
    CHECK(s.inputs[1].loc.line == 4);
    CHECK(s.inputs[1].loc.column == 3);

    REQUIRE(s.layers.size() == 4);
    CHECK(s.layers[0].name == "emb");
    CHECK(s.layers[0].op_loc.line == 7);
    CHECK(s.layers[0].op_loc.column == 16);
    const auto bi = std::any_cast<BidirectionalAttrs>(s.layers[1].attrs);
    CHECK(bi.layer.units == 50);
    CHECK(bi.layer.dropout == 0.2);
    CHECK(bi.merge == MergeMode::kConcat);
    CHECK(s.layers[2].args == std::vector<std::string>{"a", "b"});
    CHECK(s.layers[2].exprs == std::vector<std::string>{"exp(-(1 - cosine(a, b)))"});
    CHECK(s.find_layer("head") == &s.layers[3]);
    CHECK(s.find_layer("nope") == nullptr);

    REQUIRE(s.defs.size() == 3);
    CHECK(s.defs[2].names == std::vector<std::string>{"pred"});
    CHECK(s.defs[2].text == "head(dist(x1, x2))");
    CHECK(s.defs[2].loc.line == 15);
    CHECK(s.defs[2].loc.column == 3);
    CHECK(s.defs[2].text_loc.column == 9);
    REQUIRE(s.outputs.size() == 1);
    CHECK(s.outputs[0].name == "pred");
    CHECK(s.outputs[0].loc.line == 16);

    REQUIRE(s.loss.has_value());
    CHECK(s.loss->op == "binary_crossentropy");
    REQUIRE(s.loss->inputs.size() == 2);
    CHECK(s.loss->inputs[0].first == "pred");
    CHECK(s.loss->inputs[1].first == "target");
    CHECK(s.loss->inputs[1].second.name == "label");
    CHECK_FALSE(std::any_cast<BinaryCrossentropyAttrs>(s.loss->attrs).from_logits);
    CHECK(s.train.optimizer.name == "adam");
    CHECK(s.train.batch_size == 64);
    CHECK(s.train.metrics == std::vector<std::string>{"accuracy"});
  }

  TEST_CASE("every layer kind is declarable and named as in the op registry") {
    for (const std::string& op : layer_kind_names()) {
      INFO(op);
      const LayerKind* kind = find_layer_kind(op);
      REQUIRE(kind != nullptr);
      CHECK(kind->op == op);
      if (op != "Lambda" && op != "Sequential") CHECK(op_registry().find(op) != nullptr);
      std::string required;
      if (op == "Embedding") required = ", vocab: 10, dim: 2";
      if (op == "Dense" || op == "LSTM") required = ", units: 3";
      if (op == "Bidirectional") required = ", layer: {op: LSTM, units: 3}";
      if (op == "Slice") required = ", begin: 0, end: 1";
      if (op == "Lambda") required = ", args: [a], expr: a";
      if (op == "Sequential") required = ", layers: [l]";
      const LayerSpec l = only_layer(fmt::format("  l: {{op: {}{}}}\n", op, required));
      CHECK(l.op == op);
      CHECK(l.attrs.has_value());
      CHECK(l.trainable);
    }
    CHECK(layer_kind_names().size() == 32);
    CHECK(find_layer_kind("Dence") == nullptr);
  }

  TEST_CASE("layer kinds: how many values a call passes, masks and parameters") {
    auto kind = [](std::string_view op) { return *find_layer_kind(op); };
    for (std::string_view op : {"Embedding", "Dense", "LSTM", "Bidirectional", "Slice",
                                "ReverseSequence", "Exp", "Relu", "ReduceMax", "L2Norm"}) {
      CHECK(kind(op).min_args == 1);
      CHECK(kind(op).max_args == 1);
    }
    for (std::string_view op : {"Add", "Minimum", "Dot", "Cosine"}) {
      CHECK(kind(op).min_args == 2);
      CHECK(kind(op).max_args == 2);
    }
    CHECK(kind("Concatenate").min_args == 2);
    CHECK(kind("Concatenate").max_args == 16);
    CHECK(kind("Lambda").min_args == 0);
    CHECK(kind("Lambda").max_args == 99);
    CHECK(kind("Sequential").max_args == 1);
    for (std::string_view op : {"LSTM", "Bidirectional", "ReverseSequence",
                                "GlobalAveragePooling1D", "GlobalMaxPooling1D"})
      CHECK(kind(op).reads_mask);
    CHECK_FALSE(kind("Dense").reads_mask);
    for (std::string_view op : {"Embedding", "Dense", "LSTM", "Bidirectional", "Sequential"})
      CHECK(kind(op).has_params);
    CHECK_FALSE(kind("Lambda").has_params);
    CHECK_FALSE(kind("Cosine").has_params);
  }

  TEST_CASE("attribute keys per op, for hints and documentation") {
    CHECK(layer_attribute_keys("Dense") ==
          std::vector<std::string>{"units", "activation", "use_bias", "kernel_initializer",
                                   "bias_initializer", "trainable"});
    CHECK(layer_attribute_keys("Slice") ==
          std::vector<std::string>{"axis", "begin", "end", "part", "of", "trainable"});
    CHECK(layer_attribute_keys("Embedding") ==
          std::vector<std::string>{"vocab", "dim", "mask_zero", "subwords",
                                   "embeddings_initializer", "pretrained", "trainable"});
    CHECK(layer_attribute_keys("Exp") == std::vector<std::string>{"trainable"});
    CHECK(layer_attribute_keys("Nope").empty());
  }

  TEST_CASE("defaults of every attribute") {
    const auto dense = attrs_of_layer<DenseAttrs>("  l: {op: Dense, units: 4}\n");
    CHECK(dense.activation == Activation::kLinear);
    CHECK(dense.use_bias);
    const auto emb = attrs_of_layer<EmbeddingAttrs>("  l: {op: Embedding, vocab: 9, dim: 2}\n");
    CHECK_FALSE(emb.mask_zero);
    CHECK_FALSE(emb.subwords);
    const auto fasttext =
        attrs_of_layer<EmbeddingAttrs>("  l: {op: Embedding, vocab: 9, dim: 2, subwords: {}}\n");
    REQUIRE(fasttext.subwords);
    CHECK(fasttext.subwords->min_n == 3);  // fastText's defaults, but for 2 million buckets
    CHECK(fasttext.subwords->max_n == 5);
    CHECK(fasttext.subwords->buckets == 200000);
    const auto twos = attrs_of_layer<EmbeddingAttrs>(
        "  l: {op: Embedding, vocab: 9, dim: 2, subwords: {min_n: 2, max_n: 2, buckets: 7}}\n");
    REQUIRE(twos.subwords);
    CHECK(twos.subwords->min_n == 2);
    CHECK(twos.subwords->max_n == 2);
    CHECK(twos.subwords->buckets == 7);
    const auto lstm = attrs_of_layer<LstmAttrs>("  l: {op: LSTM, units: 2}\n");
    CHECK_FALSE(lstm.return_sequences);
    CHECK_FALSE(lstm.go_backwards);
    CHECK(lstm.dropout == 0.0);
    const auto cat = attrs_of_layer<ConcatenateAttrs>("  l: {op: Concatenate}\n");
    CHECK(cat.axis == -1);
    CHECK_FALSE(attrs_of_layer<ReduceAttrs>("  l: {op: ReduceSum}\n").keepdims);
    CHECK_FALSE(attrs_of_layer<ReduceAttrs>("  l: {op: ReduceMean}\n").keepdims);
    // Dot keeps its axis by default, as Keras's distance Lambdas do; the reductions do not.
    CHECK(attrs_of_layer<ReduceAttrs>("  l: {op: Dot}\n").keepdims);
    CHECK_FALSE(attrs_of_layer<ReduceAttrs>("  l: {op: Dot, keepdims: false}\n").keepdims);
    CHECK(attrs_of_layer<NormAttrs>("  l: {op: L2Norm}\n").keepdims);
    CHECK(attrs_of_layer<CosineAttrs>("  l: {op: Cosine}\n").keepdims);
    CHECK(attrs_of_layer<ReduceAttrs>("  l: {op: ReduceMax, axis: 1}\n").axis == 1);
    CHECK(attrs_of_layer<CosineAttrs>("  l: {op: Cosine, axis: -2, keepdims: false}\n").axis == -2);
    only_layer("  l: {op: ReverseSequence}\n");
    const LayerSpec add = only_layer("  l: {op: Add}\n");
    CHECK(std::any_cast<NoAttrs>(&add.attrs) != nullptr);
    CHECK_FALSE(only_layer("  l: {op: Dense, units: 1, trainable: false}\n").trainable);
  }

  TEST_CASE("Slice by range or by part") {
    const auto range = attrs_of_layer<SliceSpec>("  l: {op: Slice, axis: 1, begin: 2, end: 5}\n");
    CHECK(range.axis == 1);
    CHECK(range.begin == 2);
    CHECK(range.end == 5);
    CHECK_FALSE(range.by_part());
    const auto part = attrs_of_layer<SliceSpec>("  l: {op: Slice, part: 2, of: 3}\n");
    CHECK(part.by_part());
    CHECK(part.part == 2);
    CHECK(part.of == 3);
    CHECK(part.axis == -1);
  }

  TEST_CASE("Lambda expressions and Sequential layers, with where each is written") {
    const ModelSpec s =
        parse_ok(with_layers("  one: {op: Lambda, args: [a, b], expr: exp(a)}\n"    // line 5
                             "  quoted: {op: Lambda, args: [a], expr: 'exp(a)'}\n"  // line 6
                             "  two:\n"                                             // line 7
                             "    op: Lambda\n"
                             "    args: [a, p, n]\n"
                             "    expr:\n"                           // line 10
                             "      - \"sum(square(a - p), -1)\"\n"  // line 11
                             "      - sum(square(a - n), -1)\n"      // line 12
                             "  block:\n"                            // line 13
                             "    op: Lambda\n"
                             "    args: []\n"
                             "    expr: |\n"                                          // line 16
                             "        exp(1)\n"                                       // line 17
                             "  tower: {op: Sequential, layers: [one, quoted]}\n"));  // line 18
    CHECK(s.layers[0].exprs[0] == "exp(a)");
    CHECK(s.layers[0].expr_locs[0].line == 5);
    CHECK(s.layers[0].expr_locs[0].column == 41);  // a plain scalar: its mark
    CHECK(s.layers[1].expr_locs[0].column == 42);  // inside the quote
    REQUIRE(s.layers[2].exprs.size() == 2);
    CHECK(s.layers[2].exprs[1] == "sum(square(a - n), -1)");
    CHECK(s.layers[2].expr_locs[0].line == 11);
    CHECK(s.layers[2].expr_locs[0].column == 10);
    CHECK(s.layers[2].expr_locs[1].line == 12);
    CHECK(s.layers[2].expr_locs[1].column == 9);
    CHECK(s.layers[3].args.empty());
    CHECK(s.layers[3].exprs[0] == "exp(1)\n");
    CHECK(s.layers[3].expr_locs[0].line == 17);  // the line below the `|`
    CHECK(s.layers[3].expr_locs[0].column == 9);
    CHECK(s.layers[4].layers == std::vector<std::string>{"one", "quoted"});
    REQUIRE(s.layers[4].layer_locs.size() == 2);
    CHECK(s.layers[4].layer_locs[1].line == 18);
    CHECK(s.layers[4].layer_locs[1].column == 41);
  }

  TEST_CASE("graph keys with several names, and expression places") {
    const ModelSpec s = parse_ok(
        "model: m\ninputs: {x: {shape: [2]}}\nlayers: {}\n"
        "graph:\n"
        "  ap,an :   d(x)\n"         // line 5
        "  \" b ,  c\": \"e(x)\"\n"  // line 6
        "outputs: [ap]\n");
    REQUIRE(s.defs.size() == 2);
    CHECK(s.defs[0].names == std::vector<std::string>{"ap", "an"});
    CHECK(s.defs[0].text_loc.line == 5);
    CHECK(s.defs[0].text_loc.column == 13);
    CHECK(s.defs[1].names == std::vector<std::string>{"b", "c"});
    CHECK(s.defs[1].loc.column == 3);
    CHECK(s.defs[1].text_loc.column == 15);
  }

  TEST_CASE("initializers: by name with Keras's arguments, or as a map") {
    const LayerSpec l = only_layer(
        "  l: {op: LSTM, units: 2, kernel_initializer: random_uniform,\n"
        "      recurrent_initializer: {name: random_normal, stddev: 0.5},\n"
        "      bias_initializer: {name: constant, value: 1.5}}\n");
    REQUIRE(l.initializers.size() == 3);
    CHECK(l.initializers[0].first == "kernel");
    CHECK(l.initializers[0].second == Initializer(Init::kUniform, -0.05, 0.05));
    CHECK(l.initializers[1].first == "recurrent_kernel");
    CHECK(l.initializers[1].second == Initializer(Init::kNormal, 0.0, 0.5));
    CHECK(l.initializers[2].first == "bias");
    CHECK(l.initializers[2].second == Initializer(Init::kConstant, 1.5));
    const LayerSpec e = only_layer(
        "  e: {op: Embedding, vocab: 5, dim: 2, embeddings_initializer: random_normal}\n");
    CHECK(e.initializers[0] ==
          std::pair<std::string, Initializer>("embeddings", Initializer(Init::kNormal, 0.0, 0.05)));
    const LayerSpec d = only_layer(
        "  d: {op: Dense, units: 1, kernel_initializer: {name: random_uniform, maxval: 1},\n"
        "      bias_initializer: constant}\n");
    CHECK(d.initializers[0].second == Initializer(Init::kUniform, -0.05, 1.0));
    CHECK(d.initializers[1].second == Initializer(Init::kConstant, 0.0));
    for (Init kind :
         {Init::kZeros, Init::kOnes, Init::kGlorotUniform, Init::kOrthogonal, Init::kLstmBias}) {
      const std::string name(to_string(kind));
      const LayerSpec b = only_layer(
          "  b: {op: Bidirectional, layer: {op: LSTM, units: 2}, "
          "bias_initializer: " +
          name + "}\n");
      CHECK(b.initializers[0].second == Initializer(kind));
    }
    CHECK(only_layer("  d: {op: Dense, units: 1}\n").initializers.empty());
  }

  TEST_CASE("a pretrained table for an Embedding") {
    const LayerSpec e = only_layer(
        "  e: {op: Embedding, vocab: 5, dim: 2, pretrained: {file: v.txt, missing: mean}}\n");
    REQUIRE(e.pretrained.has_value());
    CHECK(e.pretrained->file == "v.txt");
    CHECK(e.pretrained->format == "glove");
    CHECK(e.pretrained->missing == "mean");
    CHECK(e.pretrained->loc.line == 5);
    CHECK_FALSE(only_layer("  e: {op: Embedding, vocab: 5, dim: 2}\n").pretrained.has_value());
  }

  TEST_CASE("inputs: shape without the batch axis, dtype float32 by default") {
    const ModelSpec s = parse_ok(
        "model: m\n"
        "inputs: {a: {shape: [3, 4]}, b: {shape: [1], dtype: float64}, c: {shape: [2], "
        "dtype: int32}}\n"
        "layers: {}\ngraph: {y: a}\noutputs: [y]\n");
    CHECK(s.inputs[0].shape == Shape{3, 4});
    CHECK(s.inputs[0].dtype == DType::kReal);
    CHECK(s.inputs[1].dtype == DType::kReal);
    CHECK(s.inputs[2].dtype == DType::kInt32);
    CHECK_FALSE(s.loss.has_value());
    CHECK(s.train.optimizer.name == "adam");  // train: absent keeps every default
    CHECK(s.train.epochs == 5);
  }

  TEST_CASE("YAML's own plain-data tags, anchors and aliases are allowed") {
    const ModelSpec s =
        parse_ok(with_layers("  a: &dense {op: Dense, units: !!int 3, use_bias: !!bool false, "
                             "activation: !!str relu}\n"
                             "  b: *dense\n"));
    REQUIRE(s.layers.size() == 2);
    CHECK(std::any_cast<DenseAttrs>(s.layers[1].attrs).units == 3);
    CHECK_FALSE(std::any_cast<DenseAttrs>(s.layers[1].attrs).use_bias);
  }
}

}  // namespace
}  // namespace twinflow::graph
