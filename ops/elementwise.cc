#include "ops/elementwise.h"

#include <fmt/format.h>

#include "graph/ir/errors.h"
#include "ops/activation.h"

namespace twinflow::ops {

using graph::ShapeError;

namespace {

template <typename T>
using ArrayMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T>
using ConstArrayMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

// One functor per function: value(x) and grad(x, y, dy) = dy · f'(x), both over whole Eigen
// arrays so that the kernels below stay vectorised.
struct NegFn {
  static auto value(const auto& x) { return -x; }
  static auto grad(const auto&, const auto&, const auto& dy) { return -dy; }
};
struct ExpFn {
  static auto value(const auto& x) { return x.exp(); }
  static auto grad(const auto&, const auto& y, const auto& dy) { return dy * y; }
};
struct LogFn {
  static auto value(const auto& x) { return x.log(); }
  static auto grad(const auto& x, const auto&, const auto& dy) { return dy / x; }
};
struct SqrtFn {
  static auto value(const auto& x) { return x.sqrt(); }
  static auto grad(const auto&, const auto& y, const auto& dy) { return dy / (y + y); }
};
struct SquareFn {
  static auto value(const auto& x) { return x.square(); }
  static auto grad(const auto& x, const auto&, const auto& dy) { return dy * (x + x); }
};
struct AbsFn {
  static auto value(const auto& x) { return x.abs(); }
  static auto grad(const auto& x, const auto&, const auto& dy) { return dy * x.sign(); }
};
struct TanhFn {
  static auto value(const auto& x) { return x.tanh(); }
  static auto grad(const auto&, const auto& y, const auto& dy) {
    using T = typename std::decay_t<decltype(y)>::Scalar;
    return dy * (T(1) - y.square());
  }
};
struct SigmoidFn {
  static auto value(const auto& x) {
    return x.unaryExpr([](auto v) { return sigmoid(v); });
  }
  static auto grad(const auto&, const auto& y, const auto& dy) {
    using T = typename std::decay_t<decltype(y)>::Scalar;
    return dy * y * (T(1) - y);
  }
};
struct ReluFn {
  static auto value(const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    return x.max(T(0));
  }
  static auto grad(const auto& x, const auto&, const auto& dy) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    return (x > T(0)).select(dy, T(0));
  }
};

template <class Fn, typename T>
void map_forward(const In<T>& x, const Out<T>& y) {
  const ConstArrayMap<T> xs(x.x, x.size());
  ArrayMap<T>(y.y, y.size()) = Fn::value(xs);
}

template <class Fn, typename T>
void map_backward(const In<T>& x, const In<T>& y, const In<T>& dy, const Out<T>& dx) {
  const ConstArrayMap<T> xs(x.x, x.size());
  const ConstArrayMap<T> ys(y.x, y.size());
  const ConstArrayMap<T> dys(dy.x, dy.size());
  ArrayMap<T>(dx.y, dx.size()) += Fn::grad(xs, ys, dys);
}

// Calls f with a value-initialised functor of function fn (the dispatch runs once per call,
// never per element).
template <class F>
void with_functor(UnaryFn fn, F&& f) {
  switch (fn) {
    case UnaryFn::kNeg:
      return f(NegFn{});
    case UnaryFn::kExp:
      return f(ExpFn{});
    case UnaryFn::kLog:
      return f(LogFn{});
    case UnaryFn::kSqrt:
      return f(SqrtFn{});
    case UnaryFn::kSquare:
      return f(SquareFn{});
    case UnaryFn::kAbs:
      return f(AbsFn{});
    case UnaryFn::kTanh:
      return f(TanhFn{});
    case UnaryFn::kSigmoid:
      return f(SigmoidFn{});
    case UnaryFn::kRelu:
      return f(ReluFn{});
  }
}

}  // namespace

graph::Shape unary_infer_shape(std::span<const graph::ValueInfo> in) {
  if (in.size() != 1) throw ShapeError(fmt::format("expects one input x, got {}", in.size()));
  if (in[0].dtype != graph::DType::kReal) throw ShapeError("input 0 (x) must be real, not ids");
  return in[0].shape;
}

template <typename T>
void unary_forward(UnaryFn f, const In<T>& x, const Out<T>& y) {
  with_functor(f, [&]<class Fn>(Fn) { map_forward<Fn, T>(x, y); });
}

template <typename T>
void unary_backward(UnaryFn f, const In<T>& x, const In<T>& y, const In<T>& dy, const Out<T>& dx) {
  with_functor(f, [&]<class Fn>(Fn) { map_backward<Fn, T>(x, y, dy, dx); });
}

template <typename T>
uint64_t unary_kink_signature(UnaryFn f, const In<T>& x) {
  uint64_t h = kSignatureSeed;
  const ConstArrayMap<T> xs(x.x, x.size());
  for (Eigen::Index i = 0; i < xs.size(); ++i) {
    // Abs turns at 0 from both sides; Relu only distinguishes positive from the rest.
    const uint64_t branch = f == UnaryFn::kAbs
                                ? static_cast<uint64_t>((xs[i] > T(0)) + 2 * (xs[i] < T(0)))
                                : static_cast<uint64_t>(xs[i] > T(0));
    h = mix_signature(h, branch);
  }
  return h;
}

template void unary_forward(UnaryFn, const In<float>&, const Out<float>&);
template void unary_forward(UnaryFn, const In<double>&, const Out<double>&);
template void unary_backward(UnaryFn, const In<float>&, const In<float>&, const In<float>&,
                             const Out<float>&);
template void unary_backward(UnaryFn, const In<double>&, const In<double>&, const In<double>&,
                             const Out<double>&);
template uint64_t unary_kink_signature(UnaryFn, const In<float>&);
template uint64_t unary_kink_signature(UnaryFn, const In<double>&);

}  // namespace twinflow::ops
