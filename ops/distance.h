// ops/distance.h — products, norms and similarities of the vectors along one axis (default
// the last): y drops the axis, or keeps it as 1 when keepdims (the default for L2Norm and
// Cosine, since Keras's distance Lambdas return [B, 1]).
//
//   Dot     y = Σ a ⊙ b                      da = dy · b     db = dy · a
//   L2Norm  y = √max(Σ x², eps²)             dx = dy · x / y  where Σ x² > eps², else 0
//   Cosine  y = a·b / (na · nb),  na = max(|a|, eps),  nb = max(|b|, eps)
//           da = dy · (b / (na · nb) − [|a| > eps] · y · a / na²)      (db: swap a and b)
//
// Inputs: Dot and Cosine take a, b of equal shapes; L2Norm takes x. The clamp at eps keeps
// zero vectors finite: L2Norm gives eps with a zero gradient; Cosine gives 0, with da = dy·b /
// (eps·nb) large but finite (PyTorch's cosine_similarity does the same). Crossing eps is a
// kink: L2Norm and Cosine report which vectors are clamped as their kink signature.
//
// The vectors are the columns of the [n, cols] views of ops/reduce.h: contiguous when the
// axis is last, strided otherwise.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct Dot {
  using Attrs = graph::ReduceAttrs;
  static constexpr std::string_view kName = "Dot";
  static constexpr int kMinInputs = 2;
  static constexpr int kMaxInputs = 2;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in);
  static std::string describe(const Attrs& a);
  template <typename T>
  static void forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y);
  template <typename T>
  static void backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T> y, In<T> dy,
                       GradArgs<T> d);
};

struct L2Norm {
  using Attrs = graph::NormAttrs;
  static constexpr std::string_view kName = "L2Norm";
  static constexpr int kMinInputs = 1;
  static constexpr int kMaxInputs = 1;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in);
  static std::string describe(const Attrs& a);
  template <typename T>
  static void forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y);
  template <typename T>
  static void backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T> y, In<T> dy,
                       GradArgs<T> d);
  template <typename T>
  static uint64_t kink_signature(const Attrs& a, Args<T> in, In<T> y);
};

struct Cosine {
  using Attrs = graph::CosineAttrs;
  static constexpr std::string_view kName = "Cosine";
  static constexpr int kMinInputs = 2;
  static constexpr int kMaxInputs = 2;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in);
  static std::string describe(const Attrs& a);
  template <typename T>
  static void forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y);
  template <typename T>
  static void backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T> y, In<T> dy,
                       GradArgs<T> d);
  template <typename T>
  static uint64_t kink_signature(const Attrs& a, Args<T> in, In<T> y);
};

}  // namespace twinflow::ops
