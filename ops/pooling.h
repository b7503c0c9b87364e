// ops/pooling.h — pooling over time that respects the padding mask, as Keras's
// GlobalAveragePooling1D and GlobalMaxPooling1D do after an Embedding(mask_zero=True).
//
//   x [B, T, E] real, optional ids [B, T] int32  →  y [B, E]
//   m[b, t] = 1 when ids[b, t] ≠ 0 (a real step), 0 for padding; every step is real without ids
//   n_b = Σ_t m[b, t]
//
//   GlobalAveragePooling1D  y[b, e] = (1 / n_b) Σ_t m[b, t] · x[b, t, e]
//                           dx[b, t, e] += m[b, t] · dy[b, e] / n_b
//   GlobalMaxPooling1D      y[b, e] = max over the real steps t of x[b, t, e]
//                           dx[b, t*, e] += dy[b, e], t* the first real step holding the maximum
//
// A row with no real step (every id 0, or T = 0) gives y[b, :] = 0 and sends no gradient.
// GlobalMaxPooling1D's kink signature is its argmax pattern.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

enum class PoolFn { kAverage, kMax };

graph::Shape pool_infer_shape(std::span<const graph::ValueInfo> in);

// ids may be null (no mask).
template <typename T>
void pool_forward(PoolFn f, const In<T>& x, const int32_t* ids, const Out<T>& y);
// Adds the VJP into dx.
template <typename T>
void pool_backward(PoolFn f, const In<T>& x, const int32_t* ids, const In<T>& dy, const Out<T>& dx);
template <typename T>
uint64_t pool_argmax_signature(const In<T>& x, const int32_t* ids);

template <PoolFn F>
struct GlobalPooling1D {
  using Attrs = graph::NoAttrs;
  static constexpr std::string_view kName =
      F == PoolFn::kAverage ? "GlobalAveragePooling1D" : "GlobalMaxPooling1D";
  static constexpr int kMinInputs = 1;
  static constexpr int kMaxInputs = 2;

  static graph::Shape infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
    return pool_infer_shape(in);
  }
  template <typename T>
  static void forward(const Attrs&, Context<T>&, Args<T> in, Out<T> y) {
    pool_forward<T>(F, in[0], ids_of(in), y);
  }
  template <typename T>
  static void backward(const Attrs&, Context<T>&, Args<T> in, In<T>, In<T> dy, GradArgs<T> d) {
    if (d.wants(0)) pool_backward<T>(F, in[0], ids_of(in), dy, d[0]);
  }
  template <typename T>
  requires(F == PoolFn::kMax) static uint64_t kink_signature(const Attrs&, Args<T> in, In<T>) {
    return pool_argmax_signature<T>(in[0], ids_of(in));
  }

 private:
  template <typename T>
  static const int32_t* ids_of(Args<T> in) {
    return in.size() > 1 ? in[1].ids : nullptr;
  }
};

using GlobalAveragePooling1D = GlobalPooling1D<PoolFn::kAverage>;
using GlobalMaxPooling1D = GlobalPooling1D<PoolFn::kMax>;

}  // namespace twinflow::ops
