#include "ops/losses.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "graph/ir/errors.h"
#include "ops/activation.h"

namespace twinflow::ops {

using graph::ShapeError;

namespace {

// Shared by the two-input losses: both real, with compatible shapes.
void check_pair(std::span<const graph::ValueInfo> in, std::string_view first,
                std::string_view second) {
  if (in.size() != 2)
    throw ShapeError(fmt::format("expects {}, {} (2 inputs), got {}", first, second, in.size()));
  for (size_t i = 0; i < 2; ++i)
    if (in[i].dtype != graph::DType::kReal)
      throw ShapeError(fmt::format("input {} ({}) must be real, not ids", i, i ? second : first));
  if (!graph::shapes_compatible(in[0].shape, in[1].shape))
    throw ShapeError(fmt::format("input 1 ({}) {} must have the shape of input 0 ({}) {}", second,
                                 in[1].shape.to_string(), first, in[0].shape.to_string()));
}

// Where BCE's clipping is active: 0 inside [ε, 1 − ε], 1 below, 2 above.
template <typename T>
int clip_state(T p, T eps) {
  return p < eps ? 1 : (p > T(1) - eps ? 2 : 0);
}

// Softplus(z) − z·t, the logits form of binary cross-entropy, without overflow.
template <typename T>
T bce_logits(T z, T t) {
  return std::max(z, T(0)) - z * t + std::log1p(std::exp(-std::abs(z)));
}

template <typename T>
T bce_probability(T p, T t, T eps) {
  const T q = std::clamp(p, eps, T(1) - eps);
  return -t * std::log(q) - (T(1) - t) * std::log(T(1) - q);
}

}  // namespace

// ---------------------------------------------------------------------- BinaryCrossentropy

graph::Shape BinaryCrossentropy::infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
  check_pair(in, "pred", "target");
  return graph::Shape{};
}

std::string BinaryCrossentropy::describe(const Attrs& a) {
  return a.from_logits ? std::string("from_logits") : fmt::format("epsilon={}", a.epsilon);
}

template <typename T>
void BinaryCrossentropy::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const int64_t n = in[0].size();
  const T eps = static_cast<T>(a.epsilon);
  T sum = T(0);
  for (int64_t i = 0; i < n; ++i)
    sum += a.from_logits ? bce_logits(in[0].x[i], in[1].x[i])
                         : bce_probability(in[0].x[i], in[1].x[i], eps);
  y.y[0] = sum * inverse_count<T>(n);
}

template <typename T>
void BinaryCrossentropy::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy,
                                  GradArgs<T> d) {
  const int64_t n = in[0].size();
  const T g = dy.x[0] * inverse_count<T>(n);
  const T eps = static_cast<T>(a.epsilon);
  for (int64_t i = 0; i < n; ++i) {
    const T x = in[0].x[i];
    const T t = in[1].x[i];
    if (a.from_logits) {
      if (d.wants(0)) d[0].y[i] += g * (sigmoid(x) - t);
      if (d.wants(1)) d[1].y[i] -= g * x;
      continue;
    }
    if (d.wants(0) && clip_state(x, eps) == 0) d[0].y[i] += g * (x - t) / (x * (T(1) - x));
    if (d.wants(1)) {
      const T q = std::clamp(x, eps, T(1) - eps);
      d[1].y[i] += g * (std::log(T(1) - q) - std::log(q));
    }
  }
}

template <typename T>
uint64_t BinaryCrossentropy::kink_signature(const Attrs& a, Args<T> in, In<T>) {
  uint64_t h = kSignatureSeed;
  if (a.from_logits) return h;  // smooth everywhere
  const T eps = static_cast<T>(a.epsilon);
  for (int64_t i = 0; i < in[0].size(); ++i)
    h = mix_signature(h, static_cast<uint64_t>(clip_state(in[0].x[i], eps)));
  return h;
}

// --------------------------------------------------------------------------- TripletMargin

graph::Shape TripletMargin::infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
  if (in.size() != 1) throw ShapeError(fmt::format("expects 1 input (pred), got {}", in.size()));
  if (in[0].dtype != graph::DType::kReal) throw ShapeError("input 0 (pred) must be real, not ids");
  const graph::Shape& x = in[0].shape;
  if (x.rank() < 2)
    throw ShapeError(fmt::format(
        "input 0 (pred) must be [B, 3D] (anchor, positive, negative side by side), got {}",
        x.to_string()));
  if (x.back() != graph::kBatch && (x.back() <= 0 || x.back() % 3 != 0))
    throw ShapeError(fmt::format(
        "input 0 (pred) {}: the last axis must hold anchor, positive and negative, so its size "
        "must be a positive multiple of 3, got {}",
        x.to_string(), x.back()));
  return graph::Shape{};
}

std::string TripletMargin::describe(const Attrs& a) { return fmt::format("alpha={}", a.alpha); }

namespace {

// The hinge argument h = |a − p|² − |a − n|² + α of one row [a | p | n].
template <typename T>
T triplet_hinge(const T* row, int64_t dim, T alpha) {
  const ConstVectorMap<T> a(row, dim), p(row + dim, dim), n(row + 2 * dim, dim);
  return (a - p).squaredNorm() - (a - n).squaredNorm() + alpha;
}

}  // namespace

template <typename T>
void TripletMargin::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const int64_t batch = in[0].shape.leading_elements();
  const int64_t width = in[0].shape.back();
  const T alpha = static_cast<T>(a.alpha);
  T sum = T(0);
  for (int64_t b = 0; b < batch; ++b)
    sum += std::max(triplet_hinge(in[0].x + b * width, width / 3, alpha), T(0));
  y.y[0] = sum * inverse_count<T>(batch);
}

template <typename T>
void TripletMargin::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy,
                             GradArgs<T> d) {
  if (!d.wants(0)) return;
  const int64_t batch = in[0].shape.leading_elements();
  const int64_t width = in[0].shape.back();
  const int64_t dim = width / 3;
  const T alpha = static_cast<T>(a.alpha);
  const T g = T(2) * dy.x[0] * inverse_count<T>(batch);
  for (int64_t b = 0; b < batch; ++b) {
    const T* row = in[0].x + b * width;
    if (!(triplet_hinge(row, dim, alpha) > T(0))) continue;
    const ConstVectorMap<T> va(row, dim), vp(row + dim, dim), vn(row + 2 * dim, dim);
    T* drow = d[0].y + b * width;
    VectorMap<T>(drow, dim) += g * (vn - vp);
    VectorMap<T>(drow + dim, dim) -= g * (va - vp);
    VectorMap<T>(drow + 2 * dim, dim) += g * (va - vn);
  }
}

template <typename T>
uint64_t TripletMargin::kink_signature(const Attrs& a, Args<T> in, In<T>) {
  const int64_t batch = in[0].shape.leading_elements();
  const int64_t width = in[0].shape.back();
  uint64_t h = kSignatureSeed;
  for (int64_t b = 0; b < batch; ++b)
    h = mix_signature(
        h, triplet_hinge(in[0].x + b * width, width / 3, static_cast<T>(a.alpha)) > T(0));
  return h;
}

// ----------------------------------------------------------------------------- Contrastive

graph::Shape Contrastive::infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
  check_pair(in, "distance", "label");
  return graph::Shape{};
}

std::string Contrastive::describe(const Attrs& a) { return fmt::format("margin={}", a.margin); }

template <typename T>
void Contrastive::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const int64_t n = in[0].size();
  const T m = static_cast<T>(a.margin);
  T sum = T(0);
  for (int64_t i = 0; i < n; ++i) {
    const T dist = in[0].x[i];
    const T label = in[1].x[i];
    const T gap = std::max(m - dist, T(0));
    sum += label * dist * dist + (T(1) - label) * gap * gap;
  }
  y.y[0] = sum * inverse_count<T>(n);
}

template <typename T>
void Contrastive::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy,
                           GradArgs<T> d) {
  const int64_t n = in[0].size();
  const T m = static_cast<T>(a.margin);
  const T g = dy.x[0] * inverse_count<T>(n);
  for (int64_t i = 0; i < n; ++i) {
    const T dist = in[0].x[i];
    const T label = in[1].x[i];
    const T gap = std::max(m - dist, T(0));
    if (d.wants(0)) d[0].y[i] += g * T(2) * (label * dist - (T(1) - label) * gap);
    if (d.wants(1)) d[1].y[i] += g * (dist * dist - gap * gap);
  }
}

template <typename T>
uint64_t Contrastive::kink_signature(const Attrs& a, Args<T> in, In<T>) {
  const T m = static_cast<T>(a.margin);
  uint64_t h = kSignatureSeed;
  for (int64_t i = 0; i < in[0].size(); ++i) h = mix_signature(h, m - in[0].x[i] > T(0));
  return h;
}

// ------------------------------------------------------------------ explicit instantiations

template void BinaryCrossentropy::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void BinaryCrossentropy::forward(const Attrs&, Context<double>&, Args<double>,
                                          Out<double>);
template void BinaryCrossentropy::backward(const Attrs&, Context<float>&, Args<float>, In<float>,
                                           In<float>, GradArgs<float>);
template void BinaryCrossentropy::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                           In<double>, GradArgs<double>);
template uint64_t BinaryCrossentropy::kink_signature(const Attrs&, Args<float>, In<float>);
template uint64_t BinaryCrossentropy::kink_signature(const Attrs&, Args<double>, In<double>);

template void TripletMargin::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void TripletMargin::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void TripletMargin::backward(const Attrs&, Context<float>&, Args<float>, In<float>,
                                      In<float>, GradArgs<float>);
template void TripletMargin::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                      In<double>, GradArgs<double>);
template uint64_t TripletMargin::kink_signature(const Attrs&, Args<float>, In<float>);
template uint64_t TripletMargin::kink_signature(const Attrs&, Args<double>, In<double>);

template void Contrastive::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void Contrastive::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void Contrastive::backward(const Attrs&, Context<float>&, Args<float>, In<float>,
                                    In<float>, GradArgs<float>);
template void Contrastive::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                    In<double>, GradArgs<double>);
template uint64_t Contrastive::kink_signature(const Attrs&, Args<float>, In<float>);
template uint64_t Contrastive::kink_signature(const Attrs&, Args<double>, In<double>);

}  // namespace twinflow::ops
