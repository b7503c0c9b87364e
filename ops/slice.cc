#include "ops/slice.h"

#include <fmt/format.h>

#include <algorithm>

#include "graph/ir/errors.h"

namespace twinflow::ops {

using graph::ShapeError;

namespace {

// The slice as `outer` blocks: each block of x holds n·inner values, of which the
// contiguous run [begin·inner, end·inner) belongs to y.
struct Blocks {
  int64_t outer = 1;
  int64_t x_block = 0;  // n · inner
  int64_t y_block = 0;  // (end − begin) · inner
  int64_t offset = 0;   // begin · inner
};

Blocks blocks_of(const graph::SliceAttrs& a, const graph::Shape& x) {
  const int axis = x.normalize_axis(a.axis);
  Blocks b;
  int64_t inner = 1;
  for (int i = 0; i < axis; ++i) b.outer *= x[i];
  for (int i = axis + 1; i < x.rank(); ++i) inner *= x[i];
  b.x_block = x[axis] * inner;
  b.y_block = (a.end - a.begin) * inner;
  b.offset = a.begin * inner;
  return b;
}

}  // namespace

graph::Shape Slice::infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in) {
  if (in.size() != 1) throw ShapeError(fmt::format("expects 1 input (x), got {}", in.size()));
  if (in[0].dtype != graph::DType::kReal) throw ShapeError("input 0 (x) must be real, not ids");
  const graph::Shape& x = in[0].shape;
  if (x.rank() < 1) throw ShapeError("input 0 (x) must have at least one axis to slice");
  const int axis = x.normalize_axis(a.axis);
  const int64_t n = x[axis];
  if (a.begin < 0 || a.begin >= a.end || (n != graph::kBatch && a.end > n))
    throw ShapeError(fmt::format(
        "slice [{}, {}) on axis {} of input 0 {} needs 0 <= begin < end <= {} (the axis size)",
        a.begin, a.end, a.axis, x.to_string(),
        n == graph::kBatch ? std::string("B") : std::to_string(n)));
  graph::Shape y = x;
  y[axis] = a.end - a.begin;
  return y;
}

std::string Slice::describe(const Attrs& a) {
  return fmt::format("axis={}, [{}:{}]", a.axis, a.begin, a.end);
}

template <typename T>
void Slice::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const Blocks b = blocks_of(a, in[0].shape);
  for (int64_t o = 0; o < b.outer; ++o) {
    const T* src = in[0].x + o * b.x_block + b.offset;
    std::copy(src, src + b.y_block, y.y + o * b.y_block);
  }
}

template <typename T>
void Slice::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy, GradArgs<T> d) {
  if (!d.wants(0)) return;
  const Blocks b = blocks_of(a, in[0].shape);
  for (int64_t o = 0; o < b.outer; ++o)
    VectorMap<T>(d[0].y + o * b.x_block + b.offset, b.y_block) +=
        ConstVectorMap<T>(dy.x + o * b.y_block, b.y_block);
}

template void Slice::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void Slice::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void Slice::backward(const Attrs&, Context<float>&, Args<float>, In<float>, In<float>,
                              GradArgs<float>);
template void Slice::backward(const Attrs&, Context<double>&, Args<double>, In<double>, In<double>,
                              GradArgs<double>);

}  // namespace twinflow::ops
