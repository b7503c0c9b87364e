#include "ops/dense.h"

#include <fmt/format.h>

#include "graph/ir/errors.h"
#include "ops/activation.h"

namespace twinflow::ops {

using graph::ShapeError;

graph::Shape Dense::infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in) {
  const size_t expected = a.use_bias ? 3 : 2;
  if (in.size() != expected)
    throw ShapeError(fmt::format("expects x, kernel{} ({} inputs), got {}",
                                 a.use_bias ? ", bias" : "", expected, in.size()));
  const graph::Shape& x = in[0].shape;
  const graph::Shape& w = in[1].shape;
  if (in[0].dtype != graph::DType::kReal) throw ShapeError("input 0 (x) must be real, not ids");
  if (x.rank() < 1) throw ShapeError("input 0 (x) must have at least one axis");
  if (w.rank() != 2 || w[1] != a.units || !graph::dims_compatible(w[0], x.back()))
    throw ShapeError(fmt::format("kernel must be [{}, {}] for x {}, got {}", x.back(), a.units,
                                 x.to_string(), w.to_string()));
  if (a.use_bias && !(in[2].shape == graph::Shape{a.units}))
    throw ShapeError(fmt::format("bias must be [{}], got {}", a.units, in[2].shape.to_string()));
  return x.with_last(a.units);
}

std::vector<graph::ParamSpec> Dense::param_specs(const Attrs& a,
                                                 std::span<const graph::ValueInfo> in) {
  if (in.size() != 1 || in[0].shape.rank() < 1 || in[0].shape.back() < 0)
    throw ShapeError("Dense takes one input whose last axis has a known size");
  std::vector<graph::ParamSpec> specs{
      {"kernel", graph::Shape{in[0].shape.back(), a.units}, graph::Init::kGlorotUniform}};
  if (a.use_bias) specs.push_back({"bias", graph::Shape{a.units}, graph::Init::kZeros});
  return specs;
}

std::string Dense::describe(const Attrs& a) {
  return fmt::format("units={}, {}{}", a.units, graph::to_string(a.activation),
                     a.use_bias ? "" : ", no bias");
}

template <typename T>
void Dense::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  auto out = rows(y);
  out.noalias() = rows(in[0]) * rows(in[1]);
  if (a.use_bias) out.rowwise() += flat(in[2]).transpose();
  activate<T>(a.activation, out);
}

template <typename T>
void Dense::backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T> y, In<T> dy,
                     GradArgs<T> d) {
  const auto y_rows = rows(y);
  MatrixMap<T> dz(ctx.saved->real(0, static_cast<size_t>(y.size())), y_rows.rows(), y_rows.cols());
  activation_vjp<T>(a.activation, y_rows, rows(dy), dz);
  if (d.wants(0)) rows(d[0]).noalias() += dz * rows(in[1]).transpose();
  if (d.wants(1)) rows(d[1]).noalias() += rows(in[0]).transpose() * dz;
  if (a.use_bias && d.wants(2)) flat(d[2]) += dz.colwise().sum().transpose();
}

template <typename T>
uint64_t Dense::kink_signature(const Attrs& a, Args<T>, In<T> y) {
  return activation_kink_signature<T>(a.activation, rows(y));
}

template void Dense::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void Dense::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void Dense::backward(const Attrs&, Context<float>&, Args<float>, In<float>, In<float>,
                              GradArgs<float>);
template void Dense::backward(const Attrs&, Context<double>&, Args<double>, In<double>, In<double>,
                              GradArgs<double>);
template uint64_t Dense::kink_signature(const Attrs&, Args<float>, In<float>);
template uint64_t Dense::kink_signature(const Attrs&, Args<double>, In<double>);

}  // namespace twinflow::ops
