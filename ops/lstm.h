// ops/lstm.h — LSTM over whole sequences, one node per sequence (Keras semantics and layout).
//
//   z_t = x_t·W + h_{t-1}·U + b         x_t [E]  W = kernel [E, 4H]  U = recurrent_kernel [H, 4H]
//   i, f, o = σ(z_i), σ(z_f), σ(z_o)    g = tanh(z_c)     gates in Keras order i, f, c, o
//   c_t = f ⊙ c_{t-1} + i ⊙ g           h_t = o ⊙ tanh(c_t)          h_0 = c_0 = 0
//
// VJP, stepping back in time with dh, dc the cotangents of the state after step t:
//   do = dh ⊙ tanh(c_t)    dc ← dc + dh ⊙ o ⊙ (1 − tanh²(c_t))    dc_{t-1} = dc ⊙ f
//   dz_t = [dc⊙g⊙i(1−i), dc⊙c_{t-1}⊙f(1−f), dc⊙i⊙(1−g²), do⊙o(1−o)]    dh_{t-1} = dz_t·Uᵀ
//   dW = Σ_t x_tᵀ·dz_t   dU = Σ_t h_{t-1}ᵀ·dz_t   db = Σ_t dz_t   dx_t = dz_t·Wᵀ
// The per-step dz_t are stacked into one [B·T, 4H] buffer, so each of dW, dU, db, dx is one
// GEMM (or reduction) over all steps; likewise x·W + b for all steps is one GEMM in forward,
// and only h·U runs inside the time loop (ops/lstm_kernel.h, shared with Bidirectional).
//
// Inputs: x [B, T, E] real, optional ids [B, T] int32, kernel, recurrent_kernel, bias (4 or 5
// inputs; input 1 is the ids when it is int32).
// Output: [B, H], the final h; with return_sequences [B, T, H], h after every step.
//
// Masking (ids present): step t of sample b is real iff ids[b, t] != 0. A masked step carries
// (h, c) unchanged, so the final h is the state after the last real step, as in Keras and
// PyTorch's packed sequences; a sample without a real step gives zeros. With
// return_sequences the output at a masked step is 0 (as PyTorch's pad_packed_sequence and
// Keras's Bidirectional give).
//
// go_backwards: steps run t = T−1 … 0, so with post-padding the pass starts at the last real
// token. With return_sequences the output at index t is the state after step t, aligned with
// the ORIGINAL time axis (PyTorch's reverse direction). Keras's go_backwards returns the
// sequence in processing order instead; Keras's Bidirectional re-reverses it, so
// Bidirectional outputs agree with Keras.
//
// Dropout (training only): variational inverted dropout as in Keras — one mask per sample over
// x's features [B, E] and one over h [B, H] (kept entries scaled by 1/(1−p)), each fixed
// across all steps and gates; the h mask multiplies h_{t-1} before h·U only. Masks are drawn
// from the context's generator in forward and kept for backward.
//
// Parameters: kernel glorot-uniform, recurrent_kernel orthogonal, bias Keras's
// unit_forget_bias (1 for the forget gate, 0 elsewhere).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

// Shape rule shared with Bidirectional: x [B, T, E], optional ids [B, T], then `directions`
// triples (kernel, recurrent_kernel, bias) named after `prefixes`. Returns the shape of one
// direction's output.
graph::Shape lstm_direction_shape(const graph::LstmAttrs& a, std::span<const graph::ValueInfo> in,
                                  std::span<const std::string_view> prefixes);
// One direction's parameters, named prefix + "kernel" etc.; data is x [, ids].
std::vector<graph::ParamSpec> lstm_param_specs(const graph::LstmAttrs& a,
                                               std::span<const graph::ValueInfo> data,
                                               std::string_view prefix);
// "units=50, return_sequences, dropout=0.2" (go_backwards only when asked for).
std::string lstm_describe(const graph::LstmAttrs& a, bool with_direction);

struct LSTM {
  using Attrs = graph::LstmAttrs;
  static constexpr std::string_view kName = "LSTM";
  static constexpr int kMinInputs = 4;
  static constexpr int kMaxInputs = 5;
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
