#include "ops/bidirectional.h"

#include <fmt/format.h>

#include "graph/ir/errors.h"
#include "ops/lstm.h"
#include "ops/lstm_kernel.h"
#include "ops/parallel.h"

namespace twinflow::ops {

using graph::MergeMode;
using graph::Shape;

namespace {

constexpr std::string_view kPrefixes[] = {"forward.", "backward."};

// Saved slots: each direction's kept buffers, the two direction outputs, then what only
// backward uses.
constexpr size_t kForwardSaved = 0;
constexpr size_t kBackwardSaved = kForwardSaved + LstmDirection<float>::kSavedSlots;
constexpr size_t kForwardOutput = kBackwardSaved + LstmDirection<float>::kSavedSlots;
constexpr size_t kBackwardOutput = kForwardOutput + 1;
constexpr size_t kForwardScratch = kBackwardOutput + 1;
constexpr size_t kBackwardScratch = kForwardScratch + LstmDirection<float>::kScratchSlots;
constexpr size_t kForwardDy = kBackwardScratch + LstmDirection<float>::kScratchSlots;
constexpr size_t kBackwardDy = kForwardDy + 1;
constexpr size_t kBackwardDx = kBackwardDy + 1;

template <typename T>
struct Pair {
  LstmDirection<T> fwd, bwd;
  int64_t rows = 0;  // rows of one direction's output: B, or B·T with return_sequences
  T* y_fwd = nullptr;
  T* y_bwd = nullptr;
};

template <typename T>
Pair<T> bind_pair(const graph::LstmAttrs& a, Context<T>& ctx, Args<T> in) {
  const size_t first = in.size() - 6;
  Pair<T> p{LstmDirection<T>::from_inputs(a, in, first, false),
            LstmDirection<T>::from_inputs(a, in, first + 3, true)};
  const bool input_dropout = ctx.training && a.dropout > 0.0;
  const bool recurrent_dropout = ctx.training && a.recurrent_dropout > 0.0;
  p.fwd.bind_saved(*ctx.saved, kForwardSaved, input_dropout, recurrent_dropout);
  p.bwd.bind_saved(*ctx.saved, kBackwardSaved, input_dropout, recurrent_dropout);
  p.rows = a.return_sequences ? p.fwd.batch * p.fwd.steps : p.fwd.batch;
  const auto n = static_cast<size_t>(p.rows * a.units);
  p.y_fwd = aligned_slot(*ctx.saved, kForwardOutput, n);
  p.y_bwd = aligned_slot(*ctx.saved, kBackwardOutput, n);
  return p;
}

template <typename T>
void merge(MergeMode mode, const T* y_fwd, const T* y_bwd, int64_t rows, int64_t h, T* y) {
  const ConstMatrixMap<T> f(y_fwd, rows, h), b(y_bwd, rows, h);
  MatrixMap<T> out(y, rows, mode == MergeMode::kConcat ? 2 * h : h);
  switch (mode) {
    case MergeMode::kConcat:
      out.leftCols(h) = f;
      out.rightCols(h) = b;
      return;
    case MergeMode::kSum:
      out = f + b;
      return;
    case MergeMode::kMul:
      out = f.cwiseProduct(b);
      return;
    case MergeMode::kAve:
      out = (f + b) * T(0.5);
      return;
  }
}

// The merge's VJP: writes (not adds) the cotangents of both direction outputs.
template <typename T>
void split(MergeMode mode, const T* dy, const T* y_fwd, const T* y_bwd, int64_t rows, int64_t h,
           T* dy_fwd, T* dy_bwd) {
  const ConstMatrixMap<T> g(dy, rows, mode == MergeMode::kConcat ? 2 * h : h);
  MatrixMap<T> df(dy_fwd, rows, h), db(dy_bwd, rows, h);
  switch (mode) {
    case MergeMode::kConcat:
      df = g.leftCols(h);
      db = g.rightCols(h);
      return;
    case MergeMode::kSum:
      df = g;
      db = g;
      return;
    case MergeMode::kMul:
      df = g.cwiseProduct(ConstMatrixMap<T>(y_bwd, rows, h));
      db = g.cwiseProduct(ConstMatrixMap<T>(y_fwd, rows, h));
      return;
    case MergeMode::kAve:
      df = g * T(0.5);
      db = df;
      return;
  }
}

}  // namespace

Shape Bidirectional::infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in) {
  const Shape one = lstm_direction_shape(a.layer, in, kPrefixes);
  return a.merge == MergeMode::kConcat ? one.with_last(2 * a.layer.units) : one;
}

std::vector<graph::ParamSpec> Bidirectional::param_specs(const Attrs& a,
                                                         std::span<const graph::ValueInfo> in) {
  std::vector<graph::ParamSpec> specs = lstm_param_specs(a.layer, in, kPrefixes[0]);
  for (graph::ParamSpec& s : lstm_param_specs(a.layer, in, kPrefixes[1]))
    specs.push_back(std::move(s));
  return specs;
}

std::string Bidirectional::describe(const Attrs& a) {
  return fmt::format("{}, {}", graph::to_string(a.merge), lstm_describe(a.layer, false));
}

template <typename T>
void Bidirectional::forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y) {
  Pair<T> p = bind_pair(a.layer, ctx, in);
  if (ctx.training && (a.layer.dropout > 0.0 || a.layer.recurrent_dropout > 0.0)) {
    p.fwd.draw_masks(ctx.random, 0, a.layer.dropout, a.layer.recurrent_dropout);
    p.bwd.draw_masks(ctx.random, 1, a.layer.dropout, a.layer.recurrent_dropout);
  }
  run_pair([&p] { p.fwd.forward(p.y_fwd); }, [&p] { p.bwd.forward(p.y_bwd); });
  merge(a.merge, p.y_fwd, p.y_bwd, p.rows, a.layer.units, y.y);
}

template <typename T>
void Bidirectional::backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T>, In<T> dy,
                             GradArgs<T> d) {
  Pair<T> p = bind_pair(a.layer, ctx, in);
  p.fwd.bind_scratch(*ctx.saved, kForwardScratch);
  p.bwd.bind_scratch(*ctx.saved, kBackwardScratch);
  const auto n = static_cast<size_t>(p.rows * a.layer.units);
  T* dy_fwd = aligned_slot(*ctx.saved, kForwardDy, n);
  T* dy_bwd = aligned_slot(*ctx.saved, kBackwardDy, n);
  split(a.merge, dy.x, p.y_fwd, p.y_bwd, p.rows, a.layer.units, dy_fwd, dy_bwd);
  // The backward direction's dx goes to its own buffer: the two run at the same time.
  T* dx_bwd = nullptr;
  if (d.wants(0)) {
    dx_bwd = aligned_slot(*ctx.saved, kBackwardDx, static_cast<size_t>(in[0].size()));
    std::fill(dx_bwd, dx_bwd + in[0].size(), T(0));
  }
  auto grad = [&d](size_t i) { return d.wants(i) ? d[i].y : nullptr; };
  const size_t k = in.size() - 6;
  run_pair([&] { p.fwd.backward(dy_fwd, grad(0), grad(k), grad(k + 1), grad(k + 2)); },
           [&] { p.bwd.backward(dy_bwd, dx_bwd, grad(k + 3), grad(k + 4), grad(k + 5)); });
  if (dx_bwd) flat(d[0]) += ConstVectorMap<T>(dx_bwd, in[0].size());
}

template void Bidirectional::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void Bidirectional::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void Bidirectional::backward(const Attrs&, Context<float>&, Args<float>, In<float>,
                                      In<float>, GradArgs<float>);
template void Bidirectional::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                      In<double>, GradArgs<double>);

}  // namespace twinflow::ops
