#include "ops/lstm.h"

#include <fmt/format.h>

#include "graph/ir/errors.h"
#include "ops/lstm_kernel.h"

namespace twinflow::ops {

using graph::DType;
using graph::LstmAttrs;
using graph::Shape;
using graph::ShapeError;
using graph::ValueInfo;

namespace {

void check_param(std::span<const ValueInfo> in, size_t i, const std::string& name,
                 std::string_view formula, const Shape& expected) {
  if (in[i].dtype != DType::kReal)
    throw ShapeError(fmt::format("input {} ({}) must be real, not ids", i, name));
  if (!graph::shapes_compatible(in[i].shape, expected))
    throw ShapeError(fmt::format("input {} ({}) must be {} = {}, got {}", i, name, formula,
                                 expected.to_string(), in[i].shape.to_string()));
}

std::string input_list(std::span<const std::string_view> prefixes) {
  std::string s = "x, [ids]";
  for (std::string_view p : prefixes)
    s += fmt::format(", {0}kernel, {0}recurrent_kernel, {0}bias", p);
  return s;
}

void check_data(std::span<const ValueInfo> in, bool has_ids,
                std::span<const std::string_view> prefixes) {
  const Shape& x = in[0].shape;
  if (in[0].dtype != DType::kReal) throw ShapeError("input 0 (x) must be real, not ids");
  if (x.rank() != 3)
    throw ShapeError(fmt::format("input 0 (x) must be [B, T, E] (rank 3), got {}", x.to_string()));
  if (has_ids) {
    if (in[1].dtype != DType::kInt32)
      throw ShapeError("input 1 (ids) must be int32 token ids, got real values");
    if (!graph::shapes_compatible(in[1].shape, Shape{x[0], x[1]}))
      throw ShapeError(fmt::format("input 1 (ids) must be [B, T] = {} to match x {}, got {}",
                                   Shape{x[0], x[1]}.to_string(), x.to_string(),
                                   in[1].shape.to_string()));
  } else if (in[1].dtype == DType::kInt32) {
    throw ShapeError(fmt::format("input 1 is int32 ids, so a parameter is missing: expects {}",
                                 input_list(prefixes)));
  }
}

}  // namespace

Shape lstm_direction_shape(const LstmAttrs& a, std::span<const ValueInfo> in,
                           std::span<const std::string_view> prefixes) {
  const size_t n_params = 3 * prefixes.size();
  if (in.size() != n_params + 1 && in.size() != n_params + 2)
    throw ShapeError(fmt::format("expects {} ({} or {} inputs), got {}", input_list(prefixes),
                                 n_params + 1, n_params + 2, in.size()));
  const bool has_ids = in.size() == n_params + 2;
  check_data(in, has_ids, prefixes);
  if (a.units <= 0) throw ShapeError(fmt::format("units must be positive, got {}", a.units));
  if (!(a.dropout >= 0.0 && a.dropout < 1.0) ||
      !(a.recurrent_dropout >= 0.0 && a.recurrent_dropout < 1.0))
    throw ShapeError(fmt::format("dropout and recurrent_dropout must be in [0, 1), got {} and {}",
                                 a.dropout, a.recurrent_dropout));
  const Shape& x = in[0].shape;
  const int64_t h = a.units;
  size_t i = has_ids ? 2 : 1;
  for (std::string_view p : prefixes) {
    check_param(in, i, fmt::format("{}kernel", p), "[E, 4H]", Shape{x[2], 4 * h});
    check_param(in, i + 1, fmt::format("{}recurrent_kernel", p), "[H, 4H]", Shape{h, 4 * h});
    check_param(in, i + 2, fmt::format("{}bias", p), "[4H]", Shape{4 * h});
    i += 3;
  }
  return a.return_sequences ? Shape{x[0], x[1], h} : Shape{x[0], h};
}

std::vector<graph::ParamSpec> lstm_param_specs(const LstmAttrs& a, std::span<const ValueInfo> data,
                                               std::string_view prefix) {
  if (data.empty() || data.size() > 2 || data[0].shape.rank() != 3 || data[0].shape.back() < 0)
    throw ShapeError("takes x [B, T, E] with a known E, and optionally ids [B, T]");
  const int64_t e = data[0].shape.back();
  const int64_t h = a.units;
  return {{fmt::format("{}kernel", prefix), Shape{e, 4 * h}, graph::Init::kGlorotUniform},
          {fmt::format("{}recurrent_kernel", prefix), Shape{h, 4 * h}, graph::Init::kOrthogonal},
          {fmt::format("{}bias", prefix), Shape{4 * h}, graph::Init::kLstmBias}};
}

std::string lstm_describe(const LstmAttrs& a, bool with_direction) {
  std::string s = fmt::format("units={}", a.units);
  if (a.return_sequences) s += ", return_sequences";
  if (with_direction && a.go_backwards) s += ", go_backwards";
  if (a.dropout > 0.0) s += fmt::format(", dropout={}", a.dropout);
  if (a.recurrent_dropout > 0.0) s += fmt::format(", recurrent_dropout={}", a.recurrent_dropout);
  return s;
}

namespace {
constexpr std::string_view kNoPrefix[] = {""};
}  // namespace

Shape LSTM::infer_shape(const Attrs& a, std::span<const ValueInfo> in) {
  return lstm_direction_shape(a, in, kNoPrefix);
}

std::vector<graph::ParamSpec> LSTM::param_specs(const Attrs& a, std::span<const ValueInfo> in) {
  return lstm_param_specs(a, in, "");
}

std::string LSTM::describe(const Attrs& a) { return lstm_describe(a, true); }

template <typename T>
void LSTM::forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y) {
  auto p = LstmDirection<T>::from_inputs(a, in, in.size() - 3, a.go_backwards);
  const bool input_dropout = ctx.training && a.dropout > 0.0;
  const bool recurrent_dropout = ctx.training && a.recurrent_dropout > 0.0;
  p.bind_saved(*ctx.saved, 0, input_dropout, recurrent_dropout);
  if (input_dropout || recurrent_dropout)
    p.draw_masks(ctx.random, 0, a.dropout, a.recurrent_dropout);
  p.forward(y.y);
}

template <typename T>
void LSTM::backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T>, In<T> dy, GradArgs<T> d) {
  const size_t k = in.size() - 3;
  auto p = LstmDirection<T>::from_inputs(a, in, k, a.go_backwards);
  p.bind_saved(*ctx.saved, 0, ctx.training && a.dropout > 0.0,
               ctx.training && a.recurrent_dropout > 0.0);
  p.bind_scratch(*ctx.saved, LstmDirection<T>::kSavedSlots);
  auto grad = [&d](size_t i) { return d.wants(i) ? d[i].y : nullptr; };
  p.backward(dy.x, grad(0), grad(k), grad(k + 1), grad(k + 2));
}

template void LSTM::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void LSTM::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void LSTM::backward(const Attrs&, Context<float>&, Args<float>, In<float>, In<float>,
                             GradArgs<float>);
template void LSTM::backward(const Attrs&, Context<double>&, Args<double>, In<double>, In<double>,
                             GradArgs<double>);

}  // namespace twinflow::ops
