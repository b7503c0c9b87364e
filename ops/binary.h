// ops/binary.h — binary elementwise functions with numpy broadcasting: y = f(a, b).
//
//   Add      y = a + b          da = dy                 db = dy
//   Sub      y = a − b          da = dy                 db = −dy
//   Mul      y = a · b          da = dy · b             db = dy · a
//   Div      y = a / b          da = dy / b             db = −dy · a / b²
//   Maximum  y = max(a, b)      da = dy · [a ≥ b]       db = dy · [a < b]
//   Minimum  y = min(a, b)      da = dy · [a ≤ b]       db = dy · [a > b]
//
// Ties of Maximum and Minimum send the whole gradient to a (as a subgradient must go
// somewhere, and a is the first operand); their kink signature is which input was picked.
//
// Broadcasting (numpy's rule): shapes are aligned at the trailing axis; a missing leading
// axis counts as 1 (so a rank-0 scalar, such as a constant, broadcasts against anything);
// each pair of dims must be equal or contain a 1, and y takes the larger. kBatch matches
// anything while the batch size is unknown (B vs 1 → B, B vs B → B, B vs 5 → 5).
// Each input's VJP is the elementwise gradient summed over the axes it was broadcast along.
//
// Kernels: a fast path when both shapes are equal (one contiguous Eigen array expression),
// one when either side holds a single element, and a strided path otherwise that walks y
// in contiguous runs along its last (merged) axis.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

enum class BinaryFn { kAdd, kSub, kMul, kDiv, kMaximum, kMinimum };

constexpr std::string_view binary_name(BinaryFn f) {
  switch (f) {
    case BinaryFn::kAdd:
      return "Add";
    case BinaryFn::kSub:
      return "Sub";
    case BinaryFn::kMul:
      return "Mul";
    case BinaryFn::kDiv:
      return "Div";
    case BinaryFn::kMaximum:
      return "Maximum";
    case BinaryFn::kMinimum:
      return "Minimum";
  }
  return "";
}

constexpr bool binary_is_kinked(BinaryFn f) {
  return f == BinaryFn::kMaximum || f == BinaryFn::kMinimum;
}

// The broadcast shape of a and b; throws ShapeError naming both shapes.
graph::Shape broadcast_shapes(const graph::Shape& a, const graph::Shape& b);

// The shape rule shared by every binary op: two real inputs a, b → broadcast_shapes(a, b).
graph::Shape binary_infer_shape(std::span<const graph::ValueInfo> in);

template <typename T>
void binary_forward(BinaryFn f, const In<T>& a, const In<T>& b, const Out<T>& y);
// Adds each input's VJP into da and db; a null buffer is skipped.
template <typename T>
void binary_backward(BinaryFn f, const In<T>& a, const In<T>& b, const In<T>& dy, const Out<T>& da,
                     const Out<T>& db);
template <typename T>
uint64_t binary_kink_signature(BinaryFn f, const In<T>& a, const In<T>& b, const In<T>& y);

template <BinaryFn F>
struct Binary {
  using Attrs = graph::NoAttrs;
  static constexpr std::string_view kName = binary_name(F);
  static constexpr int kMinInputs = 2;
  static constexpr int kMaxInputs = 2;

  static graph::Shape infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
    return binary_infer_shape(in);
  }
  template <typename T>
  static void forward(const Attrs&, Context<T>&, Args<T> in, Out<T> y) {
    binary_forward<T>(F, in[0], in[1], y);
  }
  template <typename T>
  static void backward(const Attrs&, Context<T>&, Args<T> in, In<T>, In<T> dy, GradArgs<T> d) {
    if (!d.wants(0) && !d.wants(1)) return;
    binary_backward<T>(F, in[0], in[1], dy, d.wants(0) ? d[0] : Out<T>{},
                       d.wants(1) ? d[1] : Out<T>{});
  }
  template <typename T>
  requires(binary_is_kinked(F)) static uint64_t kink_signature(const Attrs&, Args<T> in, In<T> y) {
    return binary_kink_signature<T>(F, in[0], in[1], y);
  }
};

using Add = Binary<BinaryFn::kAdd>;
using Sub = Binary<BinaryFn::kSub>;
using Mul = Binary<BinaryFn::kMul>;
using Div = Binary<BinaryFn::kDiv>;
using Maximum = Binary<BinaryFn::kMaximum>;
using Minimum = Binary<BinaryFn::kMinimum>;

}  // namespace twinflow::ops
