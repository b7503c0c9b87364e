// ops/embedding.h — Embedding: y[..., :] = W[ids[...], :]   (a gather, linear in W).
//
//   ids [..] int32, W (embeddings) [V, E]  →  y [.., E]
//   VJP: dW[ids[p], :] += dy[p, :] for every position p (rows add up when an id repeats);
//        ids get no gradient. When the table is frozen nobody asks for dW and backward
//        does nothing at all.
//
// mask_zero: id 0 is padding. Its positions output zeros instead of row 0, so y does not
// depend on row 0 and row 0 receives no gradient — the true derivative, which the gradient
// check can confirm. (Downstream LSTMs skip padded steps, so their value never matters.)
// An id outside [0, V) is bad data, not a bug: it throws graph::RuntimeInputError naming the
// id, its position and V. Keras layout: embeddings [V, E], initialised uniform(−0.05, 0.05).
//
// With subwords (fastText), a second int32 input carries each position's n-gram rows:
//   ids [..], pieces [.., K] (rows in [V, V + buckets), −1 for none), W [V + buckets, E]
//   y[p, :] = W[ids[p], :] + Σ_k W[pieces[p, k], :]
//   VJP: dW[ids[p], :] += dy[p, :] and dW[pieces[p, k], :] += dy[p, :] for every k
// K is graph::subword_slots(subwords); runtime/text/subwords.h makes the pieces from the text.
// A mask_zero padding position is zeros whatever its pieces hold.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct Embedding {
  using Attrs = graph::EmbeddingAttrs;
  static constexpr std::string_view kName = "Embedding";
  static constexpr int kMinInputs = 2;
  static constexpr int kMaxInputs = 3;
  static constexpr bool kRowsIndependent = true;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in);
  static std::vector<graph::ParamSpec> param_specs(const Attrs& a,
                                                   std::span<const graph::ValueInfo> in);
  static std::string describe(const Attrs& a);
  template <typename T>
  static void forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y);
  template <typename T>
  static void backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T> y, In<T> dy,
                       GradArgs<T> d);
};

}  // namespace twinflow::ops
