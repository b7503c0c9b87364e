// ops/reduce.h — reductions over one axis: x [..., n, ...] → y [..., ...] (or [..., 1, ...]
// with keepdims). The axis may be negative (−1 = last).
//
//   ReduceSum   y = Σ_k x_k          dx_k = dy
//   ReduceMean  y = (1/n) Σ_k x_k    dx_k = dy / n
//   ReduceMax   y = max_k x_k        dx_k = dy · [k = argmax]  (the first maximum on ties)
//
// ReduceMax's kink signature is its argmax pattern.
//
// Layout: the axis splits a row-major tensor into [outer, n, inner]. The vectors reduced are
// the columns of an [n, cols] matrix view: for the last axis one view of all of x (cols =
// outer, each column contiguous); otherwise one view per outer index (cols = inner, columns
// strided by inner). The helpers below are shared with ops/distance.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct AxisSplit {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
};

// Splits a concrete shape at an axis (already normalised).
AxisSplit split_at_axis(const graph::Shape& s, int axis);

// s without the axis, or with it set to 1 when keepdims (axis already normalised).
graph::Shape reduced_shape(const graph::Shape& s, int axis, bool keepdims);

// Normalises axis against input `index` (called `name`) of shape s; the ShapeError names the
// axis, the input and its rank.
int checked_axis(const graph::Shape& s, int axis, int index, std::string_view name);

// "axis=-1, keepdims"
std::string describe_axis(int axis, bool keepdims);

// A row-major [rows, cols] matrix map over p, const when p is.
template <typename P>
auto row_major_map(P* p, int64_t rows, int64_t cols) {
  using M = Eigen::Matrix<std::remove_const_t<P>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<std::conditional_t<std::is_const_v<P>, const M, M>>(p, rows, cols);
}

// A [1, n] row-vector map over p, const when p is.
template <typename P>
auto row_vector_map(P* p, int64_t n) {
  using V = Eigen::Matrix<std::remove_const_t<P>, 1, Eigen::Dynamic>;
  return Eigen::Map<std::conditional_t<std::is_const_v<P>, const V, V>>(p, n);
}

// Visits the vectors reduced over, in blocks: f(out_offset, cols, view), where view(p) maps
// the block of buffer p (any buffer shaped like the input) as an [n, cols] matrix whose
// columns are the vectors, and the block's results sit at out_offset .. out_offset + cols
// of any buffer shaped like the output.
template <class F>
void for_each_axis_block(const AxisSplit& s, F&& f) {
  if (s.inner == 1) {
    f(int64_t{0}, s.outer, [&s](auto* p) { return row_major_map(p, s.outer, s.n).transpose(); });
    return;
  }
  for (int64_t o = 0; o < s.outer; ++o) {
    const int64_t at = o * s.n * s.inner;
    f(o * s.inner, s.inner, [&s, at](auto* p) { return row_major_map(p + at, s.n, s.inner); });
  }
}

enum class ReduceFn { kSum, kMean, kMax };

constexpr std::string_view reduce_name(ReduceFn f) {
  switch (f) {
    case ReduceFn::kSum:
      return "ReduceSum";
    case ReduceFn::kMean:
      return "ReduceMean";
    case ReduceFn::kMax:
      return "ReduceMax";
  }
  return "";
}

graph::Shape reduce_infer_shape(ReduceFn f, const graph::ReduceAttrs& a,
                                std::span<const graph::ValueInfo> in);

template <typename T>
void reduce_forward(ReduceFn f, const graph::ReduceAttrs& a, const In<T>& x, const Out<T>& y);
// Adds the VJP into dx.
template <typename T>
void reduce_backward(ReduceFn f, const graph::ReduceAttrs& a, const In<T>& x, const In<T>& dy,
                     const Out<T>& dx);
template <typename T>
uint64_t reduce_argmax_signature(const graph::ReduceAttrs& a, const In<T>& x);

template <ReduceFn F>
struct Reduce {
  using Attrs = graph::ReduceAttrs;
  static constexpr std::string_view kName = reduce_name(F);
  static constexpr int kMinInputs = 1;
  static constexpr int kMaxInputs = 1;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in) {
    return reduce_infer_shape(F, a, in);
  }
  static std::string describe(const Attrs& a) { return describe_axis(a.axis, a.keepdims); }
  template <typename T>
  static void forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
    reduce_forward<T>(F, a, in[0], y);
  }
  template <typename T>
  static void backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy, GradArgs<T> d) {
    if (d.wants(0)) reduce_backward<T>(F, a, in[0], dy, d[0]);
  }
  template <typename T>
  requires(F == ReduceFn::kMax) static uint64_t kink_signature(const Attrs& a, Args<T> in, In<T>) {
    return reduce_argmax_signature<T>(a, in[0]);
  }
};

using ReduceSum = Reduce<ReduceFn::kSum>;
using ReduceMean = Reduce<ReduceFn::kMean>;
using ReduceMax = Reduce<ReduceFn::kMax>;

}  // namespace twinflow::ops
