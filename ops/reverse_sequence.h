// ops/reverse_sequence.h — ReverseSequence: reverses each sample's real steps in time
// (tf.reverse_sequence with lengths taken from a post-padding mask).
//
//   y[b, t] = x[b, L_b − 1 − t]  for t < L_b        y[b, t] = x[b, t]  for t ≥ L_b
//
// L_b = 1 + the index of sample b's last non-zero id (T when there are no ids; 0 when every id
// is 0, so nothing moves). The op is a permutation of steps, hence linear, with the same
// permutation as its VJP: dx[b, L_b − 1 − t] += dy[b, t], and dx[b, t] += dy[b, t] for t ≥ L_b.
//
// Inputs: x [B, T, ...] real, optional ids [B, T] int32. Output: x's shape.
// Composed with LSTM it gives the reverse direction of a Bidirectional layer:
// ReverseSequence(LSTM(ReverseSequence(x, ids), ids), ids) equals LSTM with go_backwards.
#pragma once

#include <span>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct ReverseSequence {
  using Attrs = graph::NoAttrs;
  static constexpr std::string_view kName = "ReverseSequence";
  static constexpr int kMinInputs = 1;
  static constexpr int kMaxInputs = 2;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in);
  template <typename T>
  static void forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y);
  template <typename T>
  static void backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T> y, In<T> dy,
                       GradArgs<T> d);
};

}  // namespace twinflow::ops
