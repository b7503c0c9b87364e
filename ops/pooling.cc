#include "ops/pooling.h"

#include <fmt/format.h>

#include "graph/ir/errors.h"

namespace twinflow::ops {

using graph::DType;
using graph::Shape;
using graph::ShapeError;

namespace {

// x [batch, steps, width], row-major: step t of sample b starts at (b · steps + t) · width.
struct Steps {
  int64_t batch = 0;
  int64_t steps = 0;
  int64_t width = 0;
  const int32_t* ids = nullptr;

  Steps(const Shape& x, const int32_t* mask) : batch(x[0]), steps(x[1]), width(x[2]), ids(mask) {}
  bool real(int64_t b, int64_t t) const { return !ids || ids[b * steps + t] != 0; }
  int64_t at(int64_t b, int64_t t) const { return (b * steps + t) * width; }
  int64_t count(int64_t b) const {
    int64_t n = 0;
    for (int64_t t = 0; t < steps; ++t) n += real(b, t) ? 1 : 0;
    return n;
  }
};

// The first real step of sample b holding the largest x[b, t, e]; −1 when b has no real step.
template <typename T>
int64_t max_step(const T* x, const Steps& s, int64_t b, int64_t e) {
  int64_t best = -1;
  for (int64_t t = 0; t < s.steps; ++t)
    if (s.real(b, t) && (best < 0 || x[s.at(b, t) + e] > x[s.at(b, best) + e])) best = t;
  return best;
}

}  // namespace

Shape pool_infer_shape(std::span<const graph::ValueInfo> in) {
  if (in.empty() || in.size() > 2)
    throw ShapeError(fmt::format("expects x, [ids] (1 or 2 inputs), got {}", in.size()));
  const Shape& x = in[0].shape;
  if (in[0].dtype != DType::kReal) throw ShapeError("input 0 (x) must be real, not ids");
  if (x.rank() != 3)
    throw ShapeError(fmt::format("input 0 (x) must be [B, T, E] (rank 3), got {}", x.to_string()));
  if (in.size() == 2) {
    if (in[1].dtype != DType::kInt32)
      throw ShapeError("input 1 (ids) must be int32 token ids, got real values");
    if (!graph::shapes_compatible(in[1].shape, Shape{x[0], x[1]}))
      throw ShapeError(fmt::format("input 1 (ids) must be [B, T] = {} to match x {}, got {}",
                                   Shape{x[0], x[1]}.to_string(), x.to_string(),
                                   in[1].shape.to_string()));
  }
  return Shape{x[0], x[2]};
}

template <typename T>
void pool_forward(PoolFn f, const In<T>& x, const int32_t* ids, const Out<T>& y) {
  const Steps s(x.shape, ids);
  for (int64_t b = 0; b < s.batch; ++b) {
    VectorMap<T> yb(y.y + b * s.width, s.width);
    yb.setZero();
    if (f == PoolFn::kMax) {
      for (int64_t e = 0; e < s.width; ++e)
        if (const int64_t t = max_step(x.x, s, b, e); t >= 0) yb(e) = x.x[s.at(b, t) + e];
      continue;
    }
    const int64_t n = s.count(b);
    if (n == 0) continue;
    for (int64_t t = 0; t < s.steps; ++t)
      if (s.real(b, t)) yb += ConstVectorMap<T>(x.x + s.at(b, t), s.width);
    yb /= static_cast<T>(n);
  }
}

template <typename T>
void pool_backward(PoolFn f, const In<T>& x, const int32_t* ids, const In<T>& dy,
                   const Out<T>& dx) {
  const Steps s(x.shape, ids);
  for (int64_t b = 0; b < s.batch; ++b) {
    const ConstVectorMap<T> g(dy.x + b * s.width, s.width);
    if (f == PoolFn::kMax) {
      for (int64_t e = 0; e < s.width; ++e)
        if (const int64_t t = max_step(x.x, s, b, e); t >= 0) dx.y[s.at(b, t) + e] += g(e);
      continue;
    }
    const int64_t n = s.count(b);
    if (n == 0) continue;
    for (int64_t t = 0; t < s.steps; ++t)
      if (s.real(b, t)) VectorMap<T>(dx.y + s.at(b, t), s.width) += g / static_cast<T>(n);
  }
}

template <typename T>
uint64_t pool_argmax_signature(const In<T>& x, const int32_t* ids) {
  const Steps s(x.shape, ids);
  uint64_t h = kSignatureSeed;
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t e = 0; e < s.width; ++e)
      h = mix_signature(h, static_cast<uint64_t>(max_step(x.x, s, b, e) + 1));
  return h;
}

template void pool_forward(PoolFn, const In<float>&, const int32_t*, const Out<float>&);
template void pool_forward(PoolFn, const In<double>&, const int32_t*, const Out<double>&);
template void pool_backward(PoolFn, const In<float>&, const int32_t*, const In<float>&,
                            const Out<float>&);
template void pool_backward(PoolFn, const In<double>&, const int32_t*, const In<double>&,
                            const Out<double>&);
template uint64_t pool_argmax_signature(const In<float>&, const int32_t*);
template uint64_t pool_argmax_signature(const In<double>&, const int32_t*);

}  // namespace twinflow::ops
