// ops/elementwise.h — unary elementwise functions: y = f(x), x of any shape, y the same shape.
//
//   Neg      y = −x               dx = −dy
//   Exp      y = eˣ               dx = dy · y
//   Log      y = ln x             dx = dy / x
//   Sqrt     y = √x               dx = dy / (2y)
//   Square   y = x²               dx = dy · 2x
//   Abs      y = |x|              dx = dy · sign(x)      (sign(0) = 0)
//   Tanh     y = tanh x           dx = dy · (1 − y²)
//   Sigmoid  y = 1 / (1 + e^−x)   dx = dy · y · (1 − y)  (two-branch form: never overflows)
//   Relu     y = max(x, 0)        dx = dy · [x > 0]
//
// Log and Sqrt of non-positive inputs give what IEEE gives (−inf, NaN) instead of failing:
// the trainer's NaN guard reports them with context. Abs and Relu are kinked at 0 and
// expose the sign pattern of x as their kink signature.
//
// Every function is one instantiation of Unary<UnaryFn>: the op struct only forwards to the
// kernels in elementwise.cc, which are written once over a small functor per function.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

enum class UnaryFn { kNeg, kExp, kLog, kSqrt, kSquare, kAbs, kTanh, kSigmoid, kRelu };

constexpr std::string_view unary_name(UnaryFn f) {
  switch (f) {
    case UnaryFn::kNeg:
      return "Neg";
    case UnaryFn::kExp:
      return "Exp";
    case UnaryFn::kLog:
      return "Log";
    case UnaryFn::kSqrt:
      return "Sqrt";
    case UnaryFn::kSquare:
      return "Square";
    case UnaryFn::kAbs:
      return "Abs";
    case UnaryFn::kTanh:
      return "Tanh";
    case UnaryFn::kSigmoid:
      return "Sigmoid";
    case UnaryFn::kRelu:
      return "Relu";
  }
  return "";
}

constexpr bool unary_is_kinked(UnaryFn f) { return f == UnaryFn::kAbs || f == UnaryFn::kRelu; }

// The shape rule shared by every unary op: one real input, any rank, same shape out.
graph::Shape unary_infer_shape(std::span<const graph::ValueInfo> in);

template <typename T>
void unary_forward(UnaryFn f, const In<T>& x, const Out<T>& y);
// Adds dy ⊙ f'(x) into dx.
template <typename T>
void unary_backward(UnaryFn f, const In<T>& x, const In<T>& y, const In<T>& dy, const Out<T>& dx);
template <typename T>
uint64_t unary_kink_signature(UnaryFn f, const In<T>& x);

template <UnaryFn F>
struct Unary {
  using Attrs = graph::NoAttrs;
  static constexpr std::string_view kName = unary_name(F);
  static constexpr int kMinInputs = 1;
  static constexpr int kMaxInputs = 1;
  static constexpr bool kRowsIndependent = true;

  static graph::Shape infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
    return unary_infer_shape(in);
  }
  template <typename T>
  static void forward(const Attrs&, Context<T>&, Args<T> in, Out<T> y) {
    unary_forward<T>(F, in[0], y);
  }
  template <typename T>
  static void backward(const Attrs&, Context<T>&, Args<T> in, In<T> y, In<T> dy, GradArgs<T> d) {
    if (d.wants(0)) unary_backward<T>(F, in[0], y, dy, d[0]);
  }
  template <typename T>
  requires(unary_is_kinked(F)) static uint64_t kink_signature(const Attrs&, Args<T> in, In<T>) {
    return unary_kink_signature<T>(F, in[0]);
  }
};

using Neg = Unary<UnaryFn::kNeg>;
using Exp = Unary<UnaryFn::kExp>;
using Log = Unary<UnaryFn::kLog>;
using Sqrt = Unary<UnaryFn::kSqrt>;
using Square = Unary<UnaryFn::kSquare>;
using Abs = Unary<UnaryFn::kAbs>;
using Tanh = Unary<UnaryFn::kTanh>;
using Sigmoid = Unary<UnaryFn::kSigmoid>;
using Relu = Unary<UnaryFn::kRelu>;

}  // namespace twinflow::ops
