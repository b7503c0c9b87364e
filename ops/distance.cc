#include "ops/distance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "graph/ir/errors.h"
#include "ops/reduce.h"

namespace twinflow::ops {

using graph::Shape;
using graph::ShapeError;
using graph::ValueInfo;

namespace {

void check_inputs(std::span<const ValueInfo> in, size_t expected, std::string_view names) {
  if (in.size() != expected)
    throw ShapeError(fmt::format("expects {} ({} input{}), got {}", names, expected,
                                 expected == 1 ? "" : "s", in.size()));
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].dtype != graph::DType::kReal)
      throw ShapeError(fmt::format("input {} must be real, not ids", i));
}

// The common shape of a and b (a kBatch dim takes the other side's size).
Shape paired_shape(std::span<const ValueInfo> in) {
  check_inputs(in, 2, "a, b");
  const Shape& a = in[0].shape;
  const Shape& b = in[1].shape;
  if (!graph::shapes_compatible(a, b))
    throw ShapeError(fmt::format("input 0 (a) {} and input 1 (b) {} must have the same shape",
                                 a.to_string(), b.to_string()));
  Shape merged = a;
  for (int i = 0; i < a.rank(); ++i)
    if (merged[i] == graph::kBatch) merged[i] = b[i];
  return merged;
}

AxisSplit split_of(int axis, const Shape& x) { return split_at_axis(x, x.normalize_axis(axis)); }

// Norms and similarity of one pair of vectors.
template <typename T>
struct CosineTerms {
  T na;  // max(|a|, eps)
  T nb;
  T y;
  bool a_live;  // |a| > eps: na depends on a
  bool b_live;
};

template <typename T, class V>
CosineTerms<T> cosine_terms(const V& a, const V& b, T eps) {
  const T la = a.norm();
  const T lb = b.norm();
  CosineTerms<T> t{std::max(la, eps), std::max(lb, eps), T(0), la > eps, lb > eps};
  t.y = a.dot(b) / (t.na * t.nb);
  return t;
}

}  // namespace

// ---- Dot ----

Shape Dot::infer_shape(const Attrs& a, std::span<const ValueInfo> in) {
  const Shape s = paired_shape(in);
  return reduced_shape(s, checked_axis(s, a.axis, 0, "a"), a.keepdims);
}

std::string Dot::describe(const Attrs& a) { return describe_axis(a.axis, a.keepdims); }

template <typename T>
void Dot::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  for_each_axis_block(split_of(a.axis, in[0].shape), [&](int64_t at, int64_t cols, auto view) {
    row_vector_map(y.y + at, cols) = view(in[0].x).cwiseProduct(view(in[1].x)).colwise().sum();
  });
}

template <typename T>
void Dot::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy, GradArgs<T> d) {
  for_each_axis_block(split_of(a.axis, in[0].shape), [&](int64_t at, int64_t cols, auto view) {
    const auto g = row_vector_map(dy.x + at, cols);
    for (size_t i = 0; i < 2; ++i) {
      if (!d.wants(i)) continue;
      auto dv = view(d[i].y);
      dv += view(in[1 - i].x) * g.asDiagonal();
    }
  });
}

// ---- L2Norm ----

Shape L2Norm::infer_shape(const Attrs& a, std::span<const ValueInfo> in) {
  check_inputs(in, 1, "x");
  const Shape& x = in[0].shape;
  return reduced_shape(x, checked_axis(x, a.axis, 0, "x"), a.keepdims);
}

std::string L2Norm::describe(const Attrs& a) {
  return fmt::format("{}, eps={}", describe_axis(a.axis, a.keepdims), a.eps);
}

template <typename T>
void L2Norm::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const T eps2 = static_cast<T>(a.eps) * static_cast<T>(a.eps);
  for_each_axis_block(split_of(a.axis, in[0].shape), [&](int64_t at, int64_t cols, auto view) {
    row_vector_map(y.y + at, cols) =
        view(in[0].x).colwise().squaredNorm().cwiseMax(eps2).cwiseSqrt();
  });
}

template <typename T>
void L2Norm::backward(const Attrs& a, Context<T>&, Args<T> in, In<T> y, In<T> dy, GradArgs<T> d) {
  if (!d.wants(0)) return;
  const T eps2 = static_cast<T>(a.eps) * static_cast<T>(a.eps);
  for_each_axis_block(split_of(a.axis, in[0].shape), [&](int64_t at, int64_t cols, auto view) {
    const auto x = view(in[0].x);
    auto dx = view(d[0].y);
    for (Eigen::Index c = 0; c < cols; ++c) {
      // Below eps the norm is the constant eps: no gradient flows.
      if (!(x.col(c).squaredNorm() > eps2)) continue;
      dx.col(c) += (dy.x[at + c] / y.x[at + c]) * x.col(c);
    }
  });
}

template <typename T>
uint64_t L2Norm::kink_signature(const Attrs& a, Args<T> in, In<T>) {
  const T eps2 = static_cast<T>(a.eps) * static_cast<T>(a.eps);
  uint64_t h = kSignatureSeed;
  for_each_axis_block(split_of(a.axis, in[0].shape), [&](int64_t, int64_t cols, auto view) {
    const auto x = view(in[0].x);
    for (Eigen::Index c = 0; c < cols; ++c) h = mix_signature(h, x.col(c).squaredNorm() > eps2);
  });
  return h;
}

// ---- Cosine ----

Shape Cosine::infer_shape(const Attrs& a, std::span<const ValueInfo> in) {
  const Shape s = paired_shape(in);
  return reduced_shape(s, checked_axis(s, a.axis, 0, "a"), a.keepdims);
}

std::string Cosine::describe(const Attrs& a) {
  return fmt::format("{}, eps={}", describe_axis(a.axis, a.keepdims), a.eps);
}

template <typename T>
void Cosine::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const T eps = static_cast<T>(a.eps);
  for_each_axis_block(split_of(a.axis, in[0].shape), [&](int64_t at, int64_t cols, auto view) {
    const auto va = view(in[0].x);
    const auto vb = view(in[1].x);
    for (Eigen::Index c = 0; c < cols; ++c) y.y[at + c] = cosine_terms(va.col(c), vb.col(c), eps).y;
  });
}

template <typename T>
void Cosine::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy, GradArgs<T> d) {
  const T eps = static_cast<T>(a.eps);
  for_each_axis_block(split_of(a.axis, in[0].shape), [&](int64_t at, int64_t cols, auto view) {
    const auto va = view(in[0].x);
    const auto vb = view(in[1].x);
    auto da = view(d.wants(0) ? d[0].y : nullptr);  // a null view is never touched
    auto db = view(d.wants(1) ? d[1].y : nullptr);
    for (Eigen::Index c = 0; c < cols; ++c) {
      const CosineTerms<T> t = cosine_terms(va.col(c), vb.col(c), eps);
      const T g = dy.x[at + c];
      const T cross = g / (t.na * t.nb);
      if (d.wants(0)) {
        da.col(c) += cross * vb.col(c);
        if (t.a_live) da.col(c) -= (g * t.y / (t.na * t.na)) * va.col(c);
      }
      if (d.wants(1)) {
        db.col(c) += cross * va.col(c);
        if (t.b_live) db.col(c) -= (g * t.y / (t.nb * t.nb)) * vb.col(c);
      }
    }
  });
}

template <typename T>
uint64_t Cosine::kink_signature(const Attrs& a, Args<T> in, In<T>) {
  const T eps = static_cast<T>(a.eps);
  uint64_t h = kSignatureSeed;
  for_each_axis_block(split_of(a.axis, in[0].shape), [&](int64_t, int64_t cols, auto view) {
    const auto va = view(in[0].x);
    const auto vb = view(in[1].x);
    for (Eigen::Index c = 0; c < cols; ++c) {
      const CosineTerms<T> t = cosine_terms(va.col(c), vb.col(c), eps);
      h = mix_signature(h, static_cast<uint64_t>(t.a_live) + 2 * static_cast<uint64_t>(t.b_live));
    }
  });
  return h;
}

template void Dot::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void Dot::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void Dot::backward(const Attrs&, Context<float>&, Args<float>, In<float>, In<float>,
                            GradArgs<float>);
template void Dot::backward(const Attrs&, Context<double>&, Args<double>, In<double>, In<double>,
                            GradArgs<double>);
template void L2Norm::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void L2Norm::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void L2Norm::backward(const Attrs&, Context<float>&, Args<float>, In<float>, In<float>,
                               GradArgs<float>);
template void L2Norm::backward(const Attrs&, Context<double>&, Args<double>, In<double>, In<double>,
                               GradArgs<double>);
template uint64_t L2Norm::kink_signature(const Attrs&, Args<float>, In<float>);
template uint64_t L2Norm::kink_signature(const Attrs&, Args<double>, In<double>);
template void Cosine::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void Cosine::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void Cosine::backward(const Attrs&, Context<float>&, Args<float>, In<float>, In<float>,
                               GradArgs<float>);
template void Cosine::backward(const Attrs&, Context<double>&, Args<double>, In<double>, In<double>,
                               GradArgs<double>);
template uint64_t Cosine::kink_signature(const Attrs&, Args<float>, In<float>);
template uint64_t Cosine::kink_signature(const Attrs&, Args<double>, In<double>);

}  // namespace twinflow::ops
