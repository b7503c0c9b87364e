#include "ops/concatenate.h"

#include <fmt/format.h>

#include <algorithm>

#include "graph/ir/errors.h"

namespace twinflow::ops {

using graph::ShapeError;

namespace {

// Product of the dims of `s` before and after `axis`.
int64_t outer_of(const graph::Shape& s, int axis) {
  int64_t n = 1;
  for (int i = 0; i < axis; ++i) n *= s[i];
  return n;
}
int64_t inner_of(const graph::Shape& s, int axis) {
  int64_t n = 1;
  for (int i = axis + 1; i < s.rank(); ++i) n *= s[i];
  return n;
}

// A known size wins over kBatch, so [B, 4] and [2, 4] give [2, 4].
int64_t merged_dim(int64_t a, int64_t b) { return a == graph::kBatch ? b : a; }

}  // namespace

graph::Shape Concatenate::infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in) {
  if (in.size() < 2) throw ShapeError(fmt::format("expects at least 2 inputs, got {}", in.size()));
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].dtype != graph::DType::kReal)
      throw ShapeError(fmt::format("input {} must be real, not ids", i));
  const graph::Shape& first = in[0].shape;
  if (first.rank() < 1) throw ShapeError("input 0 must have at least one axis to concatenate");
  const int axis = first.normalize_axis(a.axis);
  graph::Shape y = first;
  for (size_t i = 1; i < in.size(); ++i) {
    const graph::Shape& x = in[i].shape;
    bool ok = x.rank() == first.rank();
    for (int k = 0; ok && k < x.rank(); ++k) ok = k == axis || graph::dims_compatible(x[k], y[k]);
    if (!ok)
      throw ShapeError(fmt::format(
          "input {} {} does not match input 0 {}: concatenating on axis {} needs the same rank "
          "and equal sizes on every other axis",
          i, x.to_string(), first.to_string(), a.axis));
    for (int k = 0; k < x.rank(); ++k)
      y[k] = k == axis
                 ? (y[k] == graph::kBatch || x[k] == graph::kBatch ? graph::kBatch : y[k] + x[k])
                 : merged_dim(y[k], x[k]);
  }
  return y;
}

std::string Concatenate::describe(const Attrs& a) { return fmt::format("axis={}", a.axis); }

template <typename T>
void Concatenate::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const int axis = y.shape.normalize_axis(a.axis);
  const int64_t outer = outer_of(y.shape, axis);
  const int64_t inner = inner_of(y.shape, axis);
  const int64_t y_block = y.shape[axis] * inner;
  int64_t offset = 0;
  for (const In<T>& x : in) {
    const int64_t x_block = x.shape[axis] * inner;
    for (int64_t o = 0; o < outer; ++o) {
      const T* src = x.x + o * x_block;
      std::copy(src, src + x_block, y.y + o * y_block + offset);
    }
    offset += x_block;
  }
}

template <typename T>
void Concatenate::backward(const Attrs& a, Context<T>&, Args<T> in, In<T> y, In<T> dy,
                           GradArgs<T> d) {
  const int axis = y.shape.normalize_axis(a.axis);
  const int64_t outer = outer_of(y.shape, axis);
  const int64_t inner = inner_of(y.shape, axis);
  const int64_t y_block = y.shape[axis] * inner;
  int64_t offset = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const int64_t x_block = in[i].shape[axis] * inner;
    if (d.wants(i))
      for (int64_t o = 0; o < outer; ++o)
        VectorMap<T>(d[i].y + o * x_block, x_block) +=
            ConstVectorMap<T>(dy.x + o * y_block + offset, x_block);
    offset += x_block;
  }
}

template void Concatenate::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void Concatenate::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void Concatenate::backward(const Attrs&, Context<float>&, Args<float>, In<float>,
                                    In<float>, GradArgs<float>);
template void Concatenate::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                    In<double>, GradArgs<double>);

}  // namespace twinflow::ops
