// ops/bidirectional.h — Bidirectional: one LSTM reads each sequence forwards, another reads it
// backwards (go_backwards), and their outputs are merged.
//
//   y_f = LSTM_forward(x)    y_b = LSTM_backward(x) read from t = T−1 to 0   (ops/lstm.h)
//   concat: y = [y_f, y_b] on the last axis (2H)   sum: y_f + y_b   mul: y_f ⊙ y_b
//   ave: (y_f + y_b) / 2
// y_b is aligned with the original time axis, so with return_sequences both halves of step t
// describe token t (as in Keras and PyTorch).
//
// VJP: the merge's — concat: dy_f, dy_b are the halves of dy; sum: dy, dy; ave: dy/2, dy/2;
// mul: dy ⊙ y_b, dy ⊙ y_f — then each direction's LSTM VJP, and dx = dx_f + dx_b.
//
// Inputs: x [B, T, E], optional ids [B, T] int32, forward.kernel, forward.recurrent_kernel,
// forward.bias, backward.kernel, backward.recurrent_kernel, backward.bias (LSTM layouts).
// Output: [B, H'], or [B, T, H'] with return_sequences; H' = 2H for concat, H otherwise.
// Masking and dropout as in LSTM (the layer's go_backwards is ignored). Each direction has
// its own dropout masks, all drawn before either runs, and the directions run on two cores
// (ops/parallel.h) without sharing any written memory, so results never depend on scheduling.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct Bidirectional {
  using Attrs = graph::BidirectionalAttrs;
  static constexpr std::string_view kName = "Bidirectional";
  static constexpr int kMinInputs = 7;
  static constexpr int kMaxInputs = 8;
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
