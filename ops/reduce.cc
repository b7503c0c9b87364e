#include "ops/reduce.h"

#include <fmt/format.h>

#include "graph/ir/errors.h"

namespace twinflow::ops {

using graph::ReduceAttrs;
using graph::Shape;
using graph::ShapeError;

namespace {

// Index of the first largest element of v (ties and the gradient go to the earliest).
template <class V>
Eigen::Index first_argmax(const V& v) {
  Eigen::Index best = 0;
  for (Eigen::Index k = 1; k < v.size(); ++k)
    if (v(k) > v(best)) best = k;
  return best;
}

AxisSplit split_of(const ReduceAttrs& a, const Shape& x) {
  return split_at_axis(x, x.normalize_axis(a.axis));
}

}  // namespace

AxisSplit split_at_axis(const Shape& s, int axis) {
  AxisSplit split;
  for (int i = 0; i < axis; ++i) split.outer *= s[i];
  split.n = s[axis];
  for (int i = axis + 1; i < s.rank(); ++i) split.inner *= s[i];
  return split;
}

Shape reduced_shape(const Shape& s, int axis, bool keepdims) {
  if (!keepdims) return s.dropped(axis);
  Shape kept = s;
  kept[axis] = 1;
  return kept;
}

int checked_axis(const Shape& s, int axis, int index, std::string_view name) {
  const int rank = s.rank();
  const int a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    throw ShapeError(fmt::format("axis {} is out of range for input {} ({}) of rank {} {}", axis,
                                 index, name, rank, s.to_string()));
  return a;
}

std::string describe_axis(int axis, bool keepdims) {
  return fmt::format("axis={}{}", axis, keepdims ? ", keepdims" : "");
}

Shape reduce_infer_shape(ReduceFn f, const ReduceAttrs& a, std::span<const graph::ValueInfo> in) {
  if (in.size() != 1) throw ShapeError(fmt::format("expects one input x, got {}", in.size()));
  if (in[0].dtype != graph::DType::kReal) throw ShapeError("input 0 (x) must be real, not ids");
  const Shape& x = in[0].shape;
  const int axis = checked_axis(x, a.axis, 0, "x");
  if (f == ReduceFn::kMax && x[axis] == 0)
    throw ShapeError(fmt::format("input 0 (x) {} is empty along axis {}: it has no maximum",
                                 x.to_string(), a.axis));
  return reduced_shape(x, axis, a.keepdims);
}

template <typename T>
void reduce_forward(ReduceFn f, const ReduceAttrs& a, const In<T>& x, const Out<T>& y) {
  const AxisSplit s = split_of(a, x.shape);
  for_each_axis_block(s, [&](int64_t at, int64_t cols, auto view) {
    const auto xv = view(x.x);
    auto yv = row_vector_map(y.y + at, cols);
    if (f == ReduceFn::kSum) {
      yv = xv.colwise().sum();
    } else if (f == ReduceFn::kMean) {
      yv = xv.colwise().sum() / static_cast<T>(s.n);
    } else {
      for (Eigen::Index c = 0; c < cols; ++c) yv(c) = xv(first_argmax(xv.col(c)), c);
    }
  });
}

template <typename T>
void reduce_backward(ReduceFn f, const ReduceAttrs& a, const In<T>& x, const In<T>& dy,
                     const Out<T>& dx) {
  const AxisSplit s = split_of(a, x.shape);
  for_each_axis_block(s, [&](int64_t at, int64_t cols, auto view) {
    auto dxv = view(dx.y);
    const auto g = row_vector_map(dy.x + at, cols);
    if (f == ReduceFn::kSum) {
      dxv.rowwise() += g;
    } else if (f == ReduceFn::kMean) {
      // Row by row: rowwise() would first evaluate g / n into a heap temporary.
      for (Eigen::Index r = 0; r < dxv.rows(); ++r) dxv.row(r) += g / static_cast<T>(s.n);
    } else {
      const auto xv = view(x.x);
      for (Eigen::Index c = 0; c < cols; ++c) dxv(first_argmax(xv.col(c)), c) += g(c);
    }
  });
}

template <typename T>
uint64_t reduce_argmax_signature(const ReduceAttrs& a, const In<T>& x) {
  uint64_t h = kSignatureSeed;
  for_each_axis_block(split_of(a, x.shape), [&](int64_t, int64_t cols, auto view) {
    const auto xv = view(x.x);
    for (Eigen::Index c = 0; c < cols; ++c)
      h = mix_signature(h, static_cast<uint64_t>(first_argmax(xv.col(c))));
  });
  return h;
}

template void reduce_forward(ReduceFn, const ReduceAttrs&, const In<float>&, const Out<float>&);
template void reduce_forward(ReduceFn, const ReduceAttrs&, const In<double>&, const Out<double>&);
template void reduce_backward(ReduceFn, const ReduceAttrs&, const In<float>&, const In<float>&,
                              const Out<float>&);
template void reduce_backward(ReduceFn, const ReduceAttrs&, const In<double>&, const In<double>&,
                              const Out<double>&);
template uint64_t reduce_argmax_signature(const ReduceAttrs&, const In<float>&);
template uint64_t reduce_argmax_signature(const ReduceAttrs&, const In<double>&);

}  // namespace twinflow::ops
