// ops/losses.h — training losses; each returns a scalar (shape []) averaged over the batch.
//
// BinaryCrossentropy (pred, target: the same shape, N elements; target real in [0, 1])
//   probabilities: p̂ = clip(p, ε, 1 − ε)  (Keras's clipping, so p = 0 or 1 stays finite)
//     L = (1/N) Σ −t·log p̂ − (1 − t)·log(1 − p̂)
//     dp = dy/N · (p − t) / (p(1 − p)) where ε ≤ p ≤ 1 − ε, else 0 (the clipped function is
//          flat there: that is its true derivative; kink_signature = the clipping pattern)
//     dt = dy/N · log((1 − p̂) / p̂)
//   from_logits (z = pred): L = (1/N) Σ max(z, 0) − z·t + log(1 + e^−|z|)   (never overflows)
//     dz = dy/N · (σ(z) − t)      dt = −dy/N · z
//   Targets are data, not checked: a target outside [0, 1] gives the value of the formula.
//   (tf.keras also adds ε inside both logs; away from the clip that changes L by < 1e-6.)
//
// TripletMargin (pred [B, 3D]: anchor a, positive p, negative n side by side on the last axis,
// as a Concatenate of the three tower outputs gives; extra leading axes count as batch rows)
//   h_b = |a − p|² − |a − n|² + α      L = (1/B) Σ_b max(h_b, 0)
//   where h_b > 0:  da = 2·dy/B·(n − p)   dp = −2·dy/B·(a − p)   dn = 2·dy/B·(a − n); else 0
//   kink_signature = which hinges are active.
//
// Contrastive (distance d, label y: the same shape, e.g. [B] or [B, 1], N elements; y = 1 for a
// similar pair) — Hadsell, Chopra & LeCun 2006, as in the Keras siamese example:
//   L = (1/N) Σ y·d² + (1 − y)·max(m − d, 0)²
//   dd = dy/N · (2y·d − 2(1 − y)·max(m − d, 0))     dy_label = dy/N · (d² − max(m − d, 0)²)
//   kink_signature = which pairs are inside the margin (m − d > 0).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct BinaryCrossentropy {
  using Attrs = graph::BinaryCrossentropyAttrs;
  static constexpr std::string_view kName = "BinaryCrossentropy";
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

struct TripletMargin {
  using Attrs = graph::TripletMarginAttrs;
  static constexpr std::string_view kName = "TripletMargin";
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

struct Contrastive {
  using Attrs = graph::ContrastiveAttrs;
  static constexpr std::string_view kName = "Contrastive";
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

// 1/N for a mean over n elements; an empty batch contributes nothing (losses.cc and
// mining_losses.cc).
template <typename T>
T inverse_count(int64_t n) {
  return n > 0 ? T(1) / static_cast<T>(n) : T(0);
}

}  // namespace twinflow::ops
