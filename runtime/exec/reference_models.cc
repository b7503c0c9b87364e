#include "runtime/exec/reference_models.h"

#include "graph/ir/attrs.h"
#include "graph/lambda/lambda.h"
#include "ops/bidirectional.h"
#include "ops/concatenate.h"
#include "ops/dense.h"
#include "ops/embedding.h"
#include "ops/losses.h"
#include "ops/slice.h"

namespace twinflow::runtime {

using graph::Activation;
using graph::Graph;
using graph::LayerId;
using graph::Shape;
using graph::ValueId;

namespace {

graph::LstmAttrs lstm_attrs(int64_t units, double dropout, double recurrent_dropout) {
  graph::LstmAttrs a;
  a.units = units;
  a.dropout = dropout;
  a.recurrent_dropout = recurrent_dropout;
  return a;
}

// Embedding → Bidirectional LSTM over one input; the token ids also carry the padding mask.
ValueId encode(Graph& g, LayerId emb, LayerId bilstm, ValueId ids, const std::string& branch) {
  const ValueId e = g.apply(emb, {ids}, branch + ".emb");
  return g.apply(bilstm, {e, ids}, branch + ".bilstm");
}

struct SiameseLayers {
  LayerId emb, bilstm;
};

SiameseLayers siamese_layers(Graph& g, const SiameseConfig& c) {
  return {g.add_layer("emb", ops::op_def<ops::Embedding>(),
                      graph::EmbeddingAttrs{c.vocab, c.embed_dim, true}),
          g.add_layer("bilstm", ops::op_def<ops::Bidirectional>(),
                      graph::BidirectionalAttrs{lstm_attrs(c.units, c.dropout, c.recurrent_dropout),
                                                graph::MergeMode::kConcat})};
}

struct TripletLayers {
  LayerId emb, bilstm, hidden, out;
};

TripletLayers triplet_layers(Graph& g, const TripletConfig& c) {
  const SiameseLayers s = siamese_layers(
      g, SiameseConfig{c.vocab, c.embed_dim, c.seq_len, c.units, c.dropout, c.recurrent_dropout});
  return {s.emb, s.bilstm,
          g.add_layer("hidden", ops::op_def<ops::Dense>(),
                      graph::DenseAttrs{c.hidden, Activation::kRelu, true}),
          g.add_layer("out", ops::op_def<ops::Dense>(),
                      graph::DenseAttrs{c.embedding, Activation::kSigmoid, true})};
}

ValueId triplet_tower(Graph& g, const TripletLayers& l, ValueId ids, const std::string& branch) {
  const ValueId h = encode(g, l.emb, l.bilstm, ids, branch);
  const ValueId z = g.apply(l.hidden, {h}, branch + ".hidden");
  return g.apply(l.out, {z}, branch + ".out");
}

}  // namespace

ReferenceModel cosine_siamese(const SiameseConfig& c) {
  ReferenceModel m;
  m.graph = std::make_unique<Graph>();
  Graph& g = *m.graph;
  const ValueId left = g.add_input("left", Shape{graph::kBatch, c.seq_len}, graph::DType::kInt32);
  const ValueId right = g.add_input("right", Shape{graph::kBatch, c.seq_len}, graph::DType::kInt32);
  const ValueId label = g.add_input("label", Shape{graph::kBatch, 1});
  m.id_inputs = {"left", "right"};

  const SiameseLayers l = siamese_layers(g, c);
  const LayerId head = g.add_layer("head", ops::op_def<ops::Dense>(),
                                   graph::DenseAttrs{1, Activation::kSigmoid, true});

  const ValueId x1 = encode(g, l.emb, l.bilstm, left, "x1");
  const ValueId x2 = encode(g, l.emb, l.bilstm, right, "x2");
  const ValueId dist =
      graph::compile_lambda(g, "dist", "exponent_neg_cosine_distance", {"a", "b"}, {x1, x2});
  m.output = g.apply(head, {dist}, "pred");
  m.loss = g.add_node(ops::op_def<ops::BinaryCrossentropy>(), graph::BinaryCrossentropyAttrs{},
                      {m.output, label}, "loss");
  return m;
}

ReferenceModel concatenated_triplet(const TripletConfig& c) {
  ReferenceModel m;
  m.graph = std::make_unique<Graph>();
  Graph& g = *m.graph;
  const TripletLayers l = triplet_layers(g, c);
  std::vector<ValueId> towers;
  for (const char* name : {"anchor", "positive", "negative"}) {
    const ValueId ids = g.add_input(name, Shape{graph::kBatch, c.seq_len}, graph::DType::kInt32);
    m.id_inputs.emplace_back(name);
    g.push_scope("tower");
    towers.push_back(triplet_tower(g, l, ids, name));
    g.pop_scope();
  }
  m.output = g.add_node(ops::op_def<ops::Concatenate>(), graph::ConcatenateAttrs{-1}, towers,
                        "embeddings");
  std::vector<ValueId> thirds;
  for (int64_t k = 0; k < 3; ++k)
    thirds.push_back(g.add_node(ops::op_def<ops::Slice>(),
                                graph::SliceAttrs{-1, k * c.embedding, (k + 1) * c.embedding},
                                {m.output}, std::string("apn").substr(static_cast<size_t>(k), 1)));
  const std::string expr = "mean(max(sum(square(a - p), -1) - sum(square(a - n), -1) + " +
                           std::to_string(c.alpha) + ", 0))";
  m.loss = graph::compile_lambda(g, "loss", expr, {"a", "p", "n"}, thirds);
  return m;
}

namespace {

// A model of one input, "text": seq_len token ids per row; the tower is added to its graph.
ReferenceModel one_text_model(int64_t seq_len) {
  ReferenceModel m;
  m.graph = std::make_unique<Graph>();
  m.graph->add_input("text", Shape{graph::kBatch, seq_len}, graph::DType::kInt32);
  m.id_inputs = {"text"};
  return m;
}

}  // namespace

ReferenceModel cosine_siamese_tower(const SiameseConfig& c) {
  ReferenceModel m = one_text_model(c.seq_len);
  Graph& g = *m.graph;
  const ValueId text = g.inputs().front();
  const SiameseLayers l = siamese_layers(g, c);
  m.output = encode(g, l.emb, l.bilstm, text, "x1");
  return m;
}

ReferenceModel concatenated_triplet_tower(const TripletConfig& c) {
  ReferenceModel m = one_text_model(c.seq_len);
  Graph& g = *m.graph;
  const ValueId text = g.inputs().front();
  const TripletLayers l = triplet_layers(g, c);
  g.push_scope("tower");
  m.output = triplet_tower(g, l, text, "anchor");
  g.pop_scope();
  return m;
}

}  // namespace twinflow::runtime
