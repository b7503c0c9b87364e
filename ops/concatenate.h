// ops/concatenate.h — Concatenate: y = [x0 | x1 | … | xk] along one axis (a linear op).
//
//   x_i [d0, .., n_i, .., dr]  →  y [d0, .., Σ n_i, .., dr]      (n_i on `axis`)
//   VJP: dx_i += dy[..., o_i : o_i + n_i, ...] with o_i = Σ_{j<i} n_j (dy split back).
//
// All inputs have the same rank and agree on every other axis (kBatch agrees with anything).
// A negative axis counts from the end (−1 = last). In row-major layout each input is `outer`
// contiguous blocks of n_i·inner values (outer: product of the dims before the axis, inner:
// of those after), laid side by side in y.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct Concatenate {
  using Attrs = graph::ConcatenateAttrs;
  static constexpr std::string_view kName = "Concatenate";
  static constexpr int kMinInputs = 2;
  static constexpr int kMaxInputs = 16;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in);
  static std::string describe(const Attrs& a);
  template <typename T>
  static void forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y);
  template <typename T>
  static void backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T> y, In<T> dy,
                       GradArgs<T> d);
};

}  // namespace twinflow::ops
