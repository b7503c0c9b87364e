// runtime/exec/reference_models.h — the two seed networks, declared in C++.
//
// Cosine Siamese: left, right [B, T] token ids → one shared Embedding(mask_zero) → one shared
// Bidirectional(LSTM(units)) → x1, x2 [B, 2·units] → Lambda exp(-(1 - cosine(x1, x2))) [B, 1]
// → Dense(1, sigmoid) → binary cross-entropy against label [B, 1].
//
// Concatenated triplet: anchor, positive, negative [B, T] → one shared tower (Embedding →
// Bidirectional(LSTM) → Dense(hidden, relu) → Dense(embedding, sigmoid)) → Concatenate
// [B, 3·embedding] → Slice into thirds a, p, n → mean(max(|a−p|² − |a−n|² + alpha, 0)).
//
// Their towers alone (what `embed` computes for one text, and what a corpus is indexed with):
// text [B, T] → the same layers, under the same names → vector [B, D], no loss.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/ir/graph.h"

namespace twinflow::runtime {

struct SiameseConfig {
  int64_t vocab = 1000;
  int64_t embed_dim = 32;
  int64_t seq_len = 20;
  int64_t units = 50;
  double dropout = 0.2;
  double recurrent_dropout = 0.2;
};

struct TripletConfig {
  int64_t vocab = 1000;
  int64_t embed_dim = 32;
  int64_t seq_len = 20;
  int64_t units = 50;
  int64_t hidden = 64;
  int64_t embedding = 16;
  double alpha = 0.4;
  double dropout = 0.0;
  double recurrent_dropout = 0.0;
};

struct ReferenceModel {
  std::unique_ptr<graph::Graph> graph;  // stable address: tapes keep a reference to it
  std::vector<std::string> id_inputs;   // token-id inputs, in order
  graph::ValueId output = -1;           // pred (Siamese), the concatenated embeddings, a vector
  graph::ValueId loss = -1;             // -1 for a tower
};

ReferenceModel cosine_siamese(const SiameseConfig& config);
ReferenceModel concatenated_triplet(const TripletConfig& config);
ReferenceModel cosine_siamese_tower(const SiameseConfig& config);
ReferenceModel concatenated_triplet_tower(const TripletConfig& config);

}  // namespace twinflow::runtime
