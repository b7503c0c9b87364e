// emit_spec: every default written out, sections in canonical order, expressions quoted,
// doubles exact; and the round trips parse(emit(s)) == s and emit(parse(emit(s))) == emit(s)
// on a spec using every op and option and on four example networks.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "graph/spec/spec.h"
#include "tests/graph/spec_checks.h"

namespace twinflow::graph {
namespace {

using namespace testing;

// Every op, every attribute set away from its default, every initializer form.
constexpr std::string_view kRichSpec = R"yaml(model: rich
inputs:
  ids: {shape: [12], dtype: int32}
  more: {shape: [12], dtype: int32}
  feats: {shape: [12, 8], dtype: float64}
  target: {shape: [1]}
layers:
  emb: {op: Embedding, vocab: 500, dim: 8, mask_zero: true, trainable: false,
        embeddings_initializer: {name: random_uniform, minval: -0.125, maxval: 0.25},
        pretrained: {file: "my vectors.txt", format: word2vec, missing: mean},
        subwords: {min_n: 2, max_n: 6, buckets: 1000}}
  lstm: {op: LSTM, units: 6, return_sequences: true, go_backwards: true, dropout: 0.1,
         recurrent_dropout: 0.30000000000000004, kernel_initializer: orthogonal,
         recurrent_initializer: {name: random_normal, mean: 0.5, stddev: 1e-3},
         bias_initializer: unit_forget_bias}
  bilstm: {op: Bidirectional, merge: ave, layer: {op: LSTM, units: 4, dropout: 0.2},
           kernel_initializer: glorot_uniform, recurrent_initializer: zeros,
           bias_initializer: {name: constant, value: -2.5e-10}}
  sum_bi: {op: Bidirectional, merge: sum, layer: {op: LSTM, units: 4, return_sequences: true}}
  mul_bi: {op: Bidirectional, merge: mul, layer: {op: LSTM, units: 4}}
  dense: {op: Dense, units: 3, activation: tanh, use_bias: false, kernel_initializer: ones}
  soft: {op: Dense, units: 2, activation: softmax, bias_initializer: constant}
  relu_d: {op: Dense, units: 2, activation: relu}
  sig: {op: Dense, units: 1, activation: sigmoid}
  tower: {op: Sequential, layers: [emb, bilstm, dense], trainable: false}
  cat: {op: Concatenate, axis: 1}
  cut: {op: Slice, axis: 0, begin: 1, end: 3}
  third: {op: Slice, part: 2, of: 3}
  rev: {op: ReverseSequence}
  rsum: {op: ReduceSum, axis: 1, keepdims: true}
  rmean: {op: ReduceMean}
  rmax: {op: ReduceMax, axis: -2}
  dot: {op: Dot}
  dot2: {op: Dot, keepdims: false}
  cos: {op: Cosine, axis: -1, keepdims: false}
  norm: {op: L2Norm}
  add: {op: Add}
  sub: {op: Sub}
  mul: {op: Mul}
  div: {op: Div}
  mx: {op: Maximum}
  mn: {op: Minimum}
  neg: {op: Neg}
  exp: {op: Exp}
  log: {op: Log}
  sqrt: {op: Sqrt}
  square: {op: Square}
  abs: {op: Abs}
  tanh: {op: Tanh}
  sigm: {op: Sigmoid}
  relu: {op: Relu}
  dist: {op: Lambda, args: [a, b], expr: ["sum(square(a - b), -1)", 'sum(abs(a - b), -1)']}
  const:
    op: Lambda
    args: []
    expr: |
      exp(-1) * "q"
graph:
  v: tower(ids)
  w: tower(more)
  "ap, an": dist(v, w)
  d: sig(cat(ap, an))
outputs: [d, ap]
loss: {op: contrastive, distance: d, target: target, margin: 2.5}
train: {optimizer: {name: rmsprop, lr: 0.0025, rho: 0.95, momentum: 0.5, epsilon: 1e-6,
                    clipnorm: 1.5, clipvalue: 0.25},
        batch_size: 7, epochs: 3, metrics: [accuracy, auc, f1, precision, recall],
        data: d.tsv, val: "v 1.tsv", test: t.tsv, patience: 2, seed: 7, shuffle: false}
)yaml";

// The cosine Siamese network of docs/spec.md.
constexpr std::string_view kCosineSiamese = R"yaml(model: cosine_siamese
inputs:
  left:  {shape: [30], dtype: int32}
  right: {shape: [30], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb:    {op: Embedding, vocab: 20000, dim: 100, mask_zero: true}
  bilstm: {op: Bidirectional, merge: concat,
           layer: {op: LSTM, units: 50, dropout: 0.2, recurrent_dropout: 0.2}}
  dist:   {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head:   {op: Dense, units: 1, activation: sigmoid}
graph:
  x1:   bilstm(emb(left))
  x2:   bilstm(emb(right))
  pred: head(dist(x1, x2))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train: {optimizer: {name: adam, lr: 0.001}, batch_size: 64, epochs: 5, metrics: [accuracy]}
)yaml";

// A shared Sequential tower over three inputs, concatenated; the loss cuts the result into
// thirds with Slice parts and is written as an expression.
constexpr std::string_view kTriplet = R"yaml(model: triplet
inputs:
  anchor:   {shape: [30], dtype: int32}
  positive: {shape: [30], dtype: int32}
  negative: {shape: [30], dtype: int32}
layers:
  emb:    {op: Embedding, vocab: 20000, dim: 100, mask_zero: true}
  bilstm: {op: Bidirectional, layer: {op: LSTM, units: 50}}
  hidden: {op: Dense, units: 64, activation: relu}
  out:    {op: Dense, units: 64, activation: sigmoid}
  tower:  {op: Sequential, layers: [emb, bilstm, hidden, out]}
  merge:  {op: Concatenate, axis: -1}
  first:  {op: Slice, part: 0, of: 3}
  second: {op: Slice, part: 1, of: 3}
  third:  {op: Slice, part: 2, of: 3}
graph:
  a_vec: tower(anchor)
  p_vec: tower(positive)
  n_vec: tower(negative)
  all:   merge(a_vec, p_vec, n_vec)
  a: first(all)
  p: second(all)
  n: third(all)
outputs: [all]
loss:
  op: expression
  expr: "mean(max(sum(square(a - p), -1) - sum(square(a - n), -1) + 0.4, 0))"
train:
  optimizer: sgd
  metrics: [triplet_accuracy]
)yaml";

// A distance layer with two outputs, defined at once by "ap, an".
constexpr std::string_view kTripletDistance = R"yaml(model: triplet_distance
inputs:
  anchor:   {shape: [30], dtype: int32}
  positive: {shape: [30], dtype: int32}
  negative: {shape: [30], dtype: int32}
layers:
  emb:   {op: Embedding, vocab: 20000, dim: 100, mask_zero: true}
  lstm:  {op: LSTM, units: 50}
  tower: {op: Sequential, layers: [emb, lstm]}
  distance:
    op: Lambda
    args: [anchor, positive, negative]
    expr:
      - "sum(square(anchor - positive), -1)"
      - "sum(square(anchor - negative), -1)"
graph:
  a: tower(anchor)
  p: tower(positive)
  n: tower(negative)
  ap, an: distance(a, p, n)
outputs: [ap, an]
loss: {op: expression, expr: "mean(maximum(ap - an + 0.4, 0))"}
train: {optimizer: {name: adagrad, lr: 0.05}, batch_size: 32, metrics: [recall_at_1]}
)yaml";

// MaLSTM: exp(-|h1 - h2|₁) is itself the prediction.
constexpr std::string_view kManhattanSiamese = R"yaml(model: manhattan_siamese
inputs:
  left:  {shape: [30], dtype: int32}
  right: {shape: [30], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb:  {op: Embedding, vocab: 20000, dim: 100, mask_zero: true}
  lstm: {op: LSTM, units: 50}
  similarity: {op: Lambda, args: [a, b], expr: exponent_neg_manhattan_distance}
graph:
  h1: lstm(emb(left))
  h2: lstm(emb(right))
  pred: similarity(h1, h2)
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label, from_logits: false}
train: {optimizer: {name: sgd, lr: 0.1, momentum: 0.9, nesterov: true}, epochs: 2}
)yaml";

// Both round trips, from text: the spec read back from its emitted form is the same, and
// emitting it again gives the same text.
void check_round_trip(std::string_view text) {
  const ModelSpec original = parse_ok(text);
  const std::string emitted = emit_spec(original);
  INFO(emitted);
  const ModelSpec again = parse_ok(emitted);
  CHECK(spec_text(again) == spec_text(original));
  CHECK(emit_spec(again) == emitted);
}

TEST_SUITE("graph.spec") {
  TEST_CASE("round trip: every op and option") { check_round_trip(kRichSpec); }

  TEST_CASE("round trip: four example networks") {
    for (std::string_view text : {kCosineSiamese, kTriplet, kTripletDistance, kManhattanSiamese}) {
      INFO(text.substr(0, 30));
      check_round_trip(text);
    }
  }

  TEST_CASE("round trip: each loss and each optimizer") {
    const std::string head =
        "model: m\ninputs: {x: {shape: [2]}}\nlayers: {}\ngraph: {y: x}\n"
        "outputs: [y]\n";
    for (std::string_view tail : {
             "loss: {op: binary_crossentropy, pred: y, target: x, from_logits: true}\n",
             "loss: {op: triplet_margin, pred: y, alpha: 0.2}\n",
             "loss: {op: contrastive, target: x, distance: y}\n",
             "loss: {op: expression, expr: 'mean(y)'}\n",
             "train: {optimizer: {name: sgd, momentum: 0.5}}\n",
             "train: {optimizer: {name: adam, beta_1: 0.5, beta_2: 0.75, epsilon: 1e-8}}\n",
             "train: {optimizer: {name: adagrad, initial_accumulator_value: 0.5}}\n",
             "train: {metrics: []}\n",
         }) {
      INFO(tail);
      check_round_trip(head + std::string(tail));
    }
  }

  TEST_CASE("every default is written out, in canonical order") {
    const ModelSpec s = parse_ok(
        "train: {optimizer: sgd}\n"
        "outputs: [y]\ngraph: {y: 'd(x)'}\n"
        "layers: {d: {op: Dense, units: 2}, l: {op: LSTM, units: 3}, s: {op: Slice, part: 0, "
        "of: 2}}\n"
        "inputs: {x: {shape: [2]}}\nmodel: m\n");
    const std::string out = emit_spec(s);
    CHECK(out ==
          "model: m\n"
          "inputs:\n"
          "  x: {shape: [2], dtype: float32}\n"
          "layers:\n"
          "  d: {op: Dense, units: 2, activation: linear, use_bias: true, trainable: true}\n"
          "  l: {op: LSTM, units: 3, return_sequences: false, go_backwards: false, dropout: 0, "
          "recurrent_dropout: 0, trainable: true}\n"
          "  s: {op: Slice, axis: -1, part: 0, of: 2, trainable: true}\n"
          "graph:\n"
          "  y: \"d(x)\"\n"
          "outputs: [y]\n"
          "train:\n"
          "  optimizer: {name: sgd, lr: 0.01, momentum: 0, nesterov: false, clipnorm: 0, "
          "clipvalue: 0, global_clipnorm: 0}\n"
          "  batch_size: 64\n"
          "  epochs: 5\n"
          "  metrics: []\n"
          "  patience: 0\n"
          "  keep: best\n"
          "  seed: 1\n"
          "  shuffle: true\n"
          "  stack_shared: false\n");
  }

  TEST_CASE("expressions are always quoted; initializers and pretrained only when given") {
    const std::string out = emit_spec(parse_ok(kTripletDistance));
    CHECK(out.find("expr: [\"sum(square(anchor - positive), -1)\", "
                   "\"sum(square(anchor - negative), -1)\"]") != std::string::npos);
    CHECK(out.find("ap, an: \"distance(a, p, n)\"") != std::string::npos);
    CHECK(out.find("initializer") == std::string::npos);
    CHECK(out.find("pretrained") == std::string::npos);
    const std::string rich = emit_spec(parse_ok(kRichSpec));
    CHECK(rich.find("embeddings_initializer: {name: random_uniform, minval: -0.125, maxval: "
                    "0.25}") != std::string::npos);
    CHECK(rich.find("kernel_initializer: orthogonal") != std::string::npos);
    CHECK(rich.find("pretrained: {file: my vectors.txt, format: word2vec, missing: mean}") !=
          std::string::npos);
  }

  TEST_CASE("doubles come back exactly") {
    const std::vector<double> values = {
        0.1, 1.0 / 3.0, 0.30000000000000004, 1e-300, 123456789.125, 2.5e-10, 5e-324};
    for (double lr : values) {
      INFO(lr);
      ModelSpec s = parse_ok(
          "model: m\ninputs: {x: {shape: [2]}}\nlayers: {}\ngraph: {y: x}\n"
          "outputs: [y]\n");
      s.train.optimizer.lr = lr;
      CHECK(parse_ok(emit_spec(s)).train.optimizer.lr == lr);
    }
  }

  TEST_CASE("a spec built in code with attrs of another op's type is a bug, not output") {
    ModelSpec s;
    LayerSpec l;
    l.name = "d";
    l.op = "Dense";
    l.attrs = LstmAttrs{};
    s.layers.push_back(l);
    CHECK_THROWS_AS(emit_spec(s), std::invalid_argument);
  }
}

}  // namespace
}  // namespace twinflow::graph
