// ops/op_def.h — an op as the runtime sees it: the graph schema plus kernels for float and
// double, generated from a plain struct.
//
// An op struct looks like
//
//   struct Dense {
//     using Attrs = graph::DenseAttrs;
//     static constexpr std::string_view kName = "Dense";
//     static constexpr int kMinInputs = 2, kMaxInputs = 3;       // data inputs + parameters
//     static constexpr bool kRowsIndependent = true;  // opt. (graph::OpSchema::rows_independent)
//     static graph::Shape infer_shape(const Attrs&, std::span<const graph::ValueInfo>);
//     static std::vector<graph::ParamSpec> param_specs(const Attrs&,
//                                                      std::span<const graph::ValueInfo>);  // opt.
//     template <typename T> static void forward(const Attrs&, Context<T>&, Args<T>, Out<T> y);
//     template <typename T> static void backward(const Attrs&, Context<T>&, Args<T> in,
//                                                In<T> y, In<T> dy, GradArgs<T> d);
//     template <typename T> static uint64_t kink_signature(const Attrs&, Args<T>, In<T> y);  //
//     opt. static std::string describe(const Attrs&); // opt.
//   };
//
// backward ADDS into every gradient buffer it is asked for (d.wants(i)); it never writes an
// input that is not asked for. kink_signature hashes which branch of a non-smooth function
// each element takes (relu's sign, max's argmax, a hinge's activity): the gradient checker
// skips a finite-difference probe whose perturbation changes it.
#pragma once

#include <any>
#include <cstdint>
#include <string>

#include "graph/ir/op_schema.h"
#include "ops/tensor.h"

namespace twinflow::ops {

template <typename T>
using ForwardFn = void (*)(const std::any&, Context<T>&, Args<T>, Out<T>);
template <typename T>
using BackwardFn = void (*)(const std::any&, Context<T>&, Args<T>, In<T>, In<T>, GradArgs<T>);
template <typename T>
using KinkFn = uint64_t (*)(const std::any&, Args<T>, In<T>);

struct OpDef : graph::OpSchema {
  ForwardFn<float> forward_f = nullptr;
  ForwardFn<double> forward_d = nullptr;
  BackwardFn<float> backward_f = nullptr;
  BackwardFn<double> backward_d = nullptr;
  KinkFn<float> kink_f = nullptr;
  KinkFn<double> kink_d = nullptr;

  template <typename T>
  ForwardFn<T> forward() const {
    if constexpr (std::is_same_v<T, float>)
      return forward_f;
    else
      return forward_d;
  }
  template <typename T>
  BackwardFn<T> backward() const {
    if constexpr (std::is_same_v<T, float>)
      return backward_f;
    else
      return backward_d;
  }
  template <typename T>
  KinkFn<T> kink() const {
    if constexpr (std::is_same_v<T, float>)
      return kink_f;
    else
      return kink_d;
  }
};

// The OpDef behind a graph node (every schema in the registry is an OpDef).
inline const OpDef& op_def_of(const graph::OpSchema& schema) {
  return static_cast<const OpDef&>(schema);
}

template <class Op>
const typename Op::Attrs& attrs_of(const std::any& a) {
  return std::any_cast<const typename Op::Attrs&>(a);
}

// Wraps a typed kernel as the type-erased pointer an OpDef stores.
template <class Op, typename T>
void erased_forward(const std::any& a, Context<T>& c, Args<T> in, Out<T> y) {
  Op::template forward<T>(attrs_of<Op>(a), c, in, y);
}
template <class Op, typename T>
void erased_backward(const std::any& a, Context<T>& c, Args<T> in, In<T> y, In<T> dy,
                     GradArgs<T> d) {
  Op::template backward<T>(attrs_of<Op>(a), c, in, y, dy, d);
}
template <class Op, typename T>
uint64_t erased_kink(const std::any& a, Args<T> in, In<T> y) {
  return Op::template kink_signature<T>(attrs_of<Op>(a), in, y);
}

// The single OpDef of op struct Op.
template <class Op>
const OpDef& op_def() {
  static const OpDef def = [] {
    OpDef d;
    d.name = Op::kName;
    d.min_inputs = Op::kMinInputs;
    d.max_inputs = Op::kMaxInputs;
    d.infer_shape = [](const std::any& a, std::span<const graph::ValueInfo> in) {
      return Op::infer_shape(attrs_of<Op>(a), in);
    };
    if constexpr (requires { &Op::param_specs; }) {
      d.param_specs = [](const std::any& a, std::span<const graph::ValueInfo> in) {
        return Op::param_specs(attrs_of<Op>(a), in);
      };
    }
    if constexpr (requires { Op::kRowsIndependent; }) d.rows_independent = Op::kRowsIndependent;
    if constexpr (requires { &Op::describe; }) {
      d.describe = [](const std::any& a) { return Op::describe(attrs_of<Op>(a)); };
    }
    d.forward_f = &erased_forward<Op, float>;
    d.forward_d = &erased_forward<Op, double>;
    d.backward_f = &erased_backward<Op, float>;
    d.backward_d = &erased_backward<Op, double>;
    if constexpr (requires { &Op::template kink_signature<double>; }) {
      d.kink_f = &erased_kink<Op, float>;
      d.kink_d = &erased_kink<Op, double>;
    }
    return d;
  }();
  return def;
}

// Mixes one value into a running kink signature (FNV-1a style).
inline uint64_t mix_signature(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ULL; }
inline constexpr uint64_t kSignatureSeed = 0xcbf29ce484222325ULL;

}  // namespace twinflow::ops
