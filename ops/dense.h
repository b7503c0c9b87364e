// ops/dense.h — Dense: y = f(x·W + b)   x [..., in]  W [in, units]  b [units]  → y [..., units]
//
// VJP, with dz = dy ⊙ f'(z) (see ops/activation.h):
//   dx = dz·Wᵀ   dW = xᵀ·dz   db = Σ_rows dz      (leading dims of x flatten into rows)
// Keras layout: kernel [in, units], bias [units]; glorot-uniform kernel, zero bias.
// Inputs: x, kernel[, bias] — the bias is absent when use_bias is false.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct Dense {
  using Attrs = graph::DenseAttrs;
  static constexpr std::string_view kName = "Dense";
  static constexpr int kMinInputs = 2;
  static constexpr int kMaxInputs = 3;
  static constexpr bool kRowsIndependent = true;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in);
  static std::vector<graph::ParamSpec> param_specs(const Attrs& a,
                                                   std::span<const graph::ValueInfo> in);
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
