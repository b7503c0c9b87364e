#include "ops/reverse_sequence.h"

#include <fmt/format.h>

#include <algorithm>

#include "graph/ir/errors.h"

namespace twinflow::ops {

using graph::DType;
using graph::Shape;
using graph::ShapeError;

namespace {

// L_b: the steps of sample b that get reversed.
int64_t real_length(const int32_t* ids, int64_t b, int64_t steps) {
  if (!ids) return steps;
  for (int64_t t = steps; t > 0; --t)
    if (ids[b * steps + t - 1] != 0) return t;
  return 0;
}

// Calls f(destination row, source row) for every step of every sample, rows of `width`
// elements in a batch-major [B·T, width] layout.
template <class F>
void for_each_step(const Shape& x, const int32_t* ids, F f) {
  const int64_t batch = x[0], steps = x[1];
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t length = real_length(ids, b, steps);
    for (int64_t t = 0; t < steps; ++t) {
      const int64_t source = t < length ? length - 1 - t : t;
      f(b * steps + t, b * steps + source);
    }
  }
}

}  // namespace

Shape ReverseSequence::infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
  if (in.empty() || in.size() > 2)
    throw ShapeError(fmt::format("expects x, [ids] (1 or 2 inputs), got {}", in.size()));
  const Shape& x = in[0].shape;
  if (in[0].dtype != DType::kReal) throw ShapeError("input 0 (x) must be real, not ids");
  if (x.rank() < 2)
    throw ShapeError(
        fmt::format("input 0 (x) must be [B, T, ...] (rank 2 or more), got {}", x.to_string()));
  if (in.size() == 2) {
    if (in[1].dtype != DType::kInt32)
      throw ShapeError("input 1 (ids) must be int32 token ids, got real values");
    if (!graph::shapes_compatible(in[1].shape, Shape{x[0], x[1]}))
      throw ShapeError(fmt::format("input 1 (ids) must be [B, T] = {} to match x {}, got {}",
                                   Shape{x[0], x[1]}.to_string(), x.to_string(),
                                   in[1].shape.to_string()));
  }
  return x;
}

template <typename T>
void ReverseSequence::forward(const Attrs&, Context<T>&, Args<T> in, Out<T> y) {
  const Shape& shape = in[0].shape;
  const int64_t width = shape.num_elements() / std::max<int64_t>(shape[0] * shape[1], 1);
  const T* x = in[0].x;
  for_each_step(shape, in.size() > 1 ? in[1].ids : nullptr, [&](int64_t dst, int64_t src) {
    std::copy(x + src * width, x + (src + 1) * width, y.y + dst * width);
  });
}

template <typename T>
void ReverseSequence::backward(const Attrs&, Context<T>&, Args<T> in, In<T>, In<T> dy,
                               GradArgs<T> d) {
  if (!d.wants(0)) return;
  const Shape& shape = in[0].shape;
  const int64_t width = shape.num_elements() / std::max<int64_t>(shape[0] * shape[1], 1);
  T* dx = d[0].y;
  for_each_step(shape, in.size() > 1 ? in[1].ids : nullptr, [&](int64_t dst, int64_t src) {
    VectorMap<T>(dx + src * width, width) += ConstVectorMap<T>(dy.x + dst * width, width);
  });
}

template void ReverseSequence::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void ReverseSequence::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void ReverseSequence::backward(const Attrs&, Context<float>&, Args<float>, In<float>,
                                        In<float>, GradArgs<float>);
template void ReverseSequence::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                        In<double>, GradArgs<double>);

}  // namespace twinflow::ops
