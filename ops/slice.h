// ops/slice.h — Slice: y = x[..., begin:end, ...] on one axis (a linear op).
//
//   x [d0, .., n, .., dk]  →  y [d0, .., end − begin, .., dk]     (n on `axis`)
//   VJP: dx[..., begin:end, ...] += dy; the rest of dx is left as it is.
//
// A negative axis counts from the end (−1 = last). Requires 0 ≤ begin < end ≤ n; when n is
// still kBatch at graph time the range is checked again at run time. Row-major layout makes
// the slice `outer` contiguous blocks of (end − begin)·inner values, where outer is the
// product of the dims before the axis and inner the product of those after it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct Slice {
  using Attrs = graph::SliceAttrs;
  static constexpr std::string_view kName = "Slice";
  static constexpr int kMinInputs = 1;
  static constexpr int kMaxInputs = 1;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in);
  static std::string describe(const Attrs& a);
  template <typename T>
  static void forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y);
  template <typename T>
  static void backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T> y, In<T> dy,
                       GradArgs<T> d);
};

}  // namespace twinflow::ops
