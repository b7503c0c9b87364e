#include "ops/mining_losses.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "ops/activation.h"
#include "ops/losses.h"
#include "ops/triplet_distances.h"

namespace twinflow::ops {

namespace {

// A mined triplet (a_i, p_i, c_k) with dL/d(d_ii − d_ik) per unit dy.
template <typename T>
struct MinedTerm {
  int64_t anchor;
  int64_t candidate;
  T weight;
};

// What a miner found in a batch: the loss, the triplets the gradient flows through, and the
// hash of its discrete choices.
template <typename T>
struct Mined {
  T loss = T(0);
  std::vector<MinedTerm<T>> terms;
  uint64_t signature = kSignatureSeed;
};

// Adds w·max(h, 0) for the triplet (i, k): its activity goes into the signature.
template <typename T>
void add_hinge(Mined<T>& m, int64_t i, int64_t k, T h, T w) {
  const bool active = h > T(0);
  m.signature = mix_signature(m.signature, active);
  if (!active) return;
  m.loss += w * h;
  m.terms.push_back({i, k, w});
}

template <typename T>
Mined<T> mine_batch_all(const graph::BatchTripletAttrs& a, const RowMatrix<T>& dist) {
  Mined<T> m;
  const T margin = static_cast<T>(a.margin);
  for (int64_t i = 0; i < dist.rows(); ++i)
    for (int64_t k = 0; k < dist.cols(); ++k)
      if (k != i) add_hinge(m, i, k, dist(i, i) - dist(i, k) + margin, T(1));
  // The mean over the active triplets; the count is piecewise constant, held fixed.
  const T w = inverse_count<T>(static_cast<int64_t>(m.terms.size()));
  m.loss *= w;
  for (MinedTerm<T>& t : m.terms) t.weight = w;
  return m;
}

template <typename T>
Mined<T> mine_batch_hard(const graph::BatchHardTripletAttrs& a, const RowMatrix<T>& dist) {
  Mined<T> m;
  const T margin = static_cast<T>(a.margin);
  const T w = inverse_count<T>(dist.rows());
  for (int64_t i = 0; i < dist.rows(); ++i) {
    int64_t hardest = -1;
    for (int64_t k = 0; k < dist.cols(); ++k)
      if (k != i && (hardest < 0 || dist(i, k) < dist(i, hardest))) hardest = k;
    m.signature = mix_signature(m.signature, static_cast<uint64_t>(hardest));
    const T gap = dist(i, i) - dist(i, hardest);
    if (!a.soft) {
      add_hinge(m, i, hardest, gap + margin, w);
      continue;
    }
    // softplus(gap) = max(gap, 0) + log(1 + e^−|gap|), without overflow
    m.loss += w * (std::max(gap, T(0)) + std::log1p(std::exp(-std::abs(gap))));
    m.terms.push_back({i, hardest, w * sigmoid(gap)});
  }
  return m;
}

template <typename T>
Mined<T> mine_semi_hard(const graph::BatchTripletAttrs& a, const RowMatrix<T>& dist) {
  Mined<T> m;
  const T margin = static_cast<T>(a.margin);
  const T w = inverse_count<T>(dist.rows());
  for (int64_t i = 0; i < dist.rows(); ++i) {
    int64_t semi_hard = -1;  // the closest negative farther than the positive
    int64_t farthest = -1;
    for (int64_t k = 0; k < dist.cols(); ++k) {
      if (k == i) continue;
      if (dist(i, k) > dist(i, i) && (semi_hard < 0 || dist(i, k) < dist(i, semi_hard)))
        semi_hard = k;
      if (farthest < 0 || dist(i, k) > dist(i, farthest)) farthest = k;
    }
    const int64_t chosen = semi_hard >= 0 ? semi_hard : farthest;
    m.signature = mix_signature(m.signature, static_cast<uint64_t>(chosen));
    add_hinge(m, i, chosen, dist(i, i) - dist(i, chosen) + margin, w);
  }
  return m;
}

// Each term's w·(∇d_ii − ∇d_ik)·dy into a_i, p_i and c_k.
template <typename T>
void add_mined_gradient(TripletDistance kind, const Mined<T>& m, const In<T>& pred, T dy, T* dx) {
  const TripletLayout l = triplet_layout(pred);
  for (const MinedTerm<T>& t : m.terms) {
    const T g = dy * t.weight;
    const int64_t a = l.anchor(t.anchor);
    const int64_t p = l.candidate(t.anchor);
    const int64_t c = l.candidate(t.candidate);
    add_triplet_distance_gradient(kind, pred.x + a, pred.x + p, l.dim, g, dx + a, dx + p);
    add_triplet_distance_gradient(kind, pred.x + a, pred.x + c, l.dim, -g, dx + a, dx + c);
  }
}

// Mean cross-entropy of softmax_k(scale·cos(a_i, c_k)) against k = i, from the cosine
// distances; fills dlogits (when given) with dL/ds per unit dy.
template <typename T>
T ranking_loss(T scale, const RowMatrix<T>& cos_dist, RowMatrix<T>* dlogits) {
  const T w = inverse_count<T>(cos_dist.rows());
  T loss = T(0);
  for (int64_t i = 0; i < cos_dist.rows(); ++i) {
    const Vector<T> s = scale * (T(1) - cos_dist.row(i).array()).matrix().transpose();
    const T top = s.maxCoeff();
    const T log_sum = top + std::log((s.array() - top).exp().sum());
    loss += w * (log_sum - s(i));
    if (!dlogits) continue;
    dlogits->row(i) = w * (s.array() - log_sum).exp().matrix().transpose();
    (*dlogits)(i, i) -= w;
  }
  return loss;
}

}  // namespace

// ------------------------------------------------------------------------ shape and describe

graph::Shape BatchAllTriplet::infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
  return TripletMargin::infer_shape(graph::TripletMarginAttrs{}, in);
}
graph::Shape BatchHardTriplet::infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
  return TripletMargin::infer_shape(graph::TripletMarginAttrs{}, in);
}
graph::Shape SemiHardTriplet::infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
  return TripletMargin::infer_shape(graph::TripletMarginAttrs{}, in);
}
graph::Shape MultipleNegativesRanking::infer_shape(const Attrs&,
                                                   std::span<const graph::ValueInfo> in) {
  return TripletMargin::infer_shape(graph::TripletMarginAttrs{}, in);
}

std::string BatchAllTriplet::describe(const Attrs& a) {
  return fmt::format("margin={} distance={}", a.margin, to_string(a.distance));
}
std::string BatchHardTriplet::describe(const Attrs& a) {
  if (a.soft) return fmt::format("soft distance={}", to_string(a.distance));
  return fmt::format("margin={} distance={}", a.margin, to_string(a.distance));
}
std::string SemiHardTriplet::describe(const Attrs& a) {
  return fmt::format("margin={} distance={}", a.margin, to_string(a.distance));
}
std::string MultipleNegativesRanking::describe(const Attrs& a) {
  return fmt::format("scale={}", a.scale);
}

// ----------------------------------------------------------------------------- the miners

template <typename T>
void BatchAllTriplet::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  y.y[0] = mine_batch_all(a, anchor_distances(a.distance, in[0])).loss;
}
template <typename T>
void BatchAllTriplet::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy,
                               GradArgs<T> d) {
  if (!d.wants(0)) return;
  const Mined<T> m = mine_batch_all(a, anchor_distances(a.distance, in[0]));
  add_mined_gradient(a.distance, m, in[0], dy.x[0], d[0].y);
}
template <typename T>
uint64_t BatchAllTriplet::kink_signature(const Attrs& a, Args<T> in, In<T>) {
  return mine_batch_all(a, anchor_distances(a.distance, in[0])).signature;
}

template <typename T>
void BatchHardTriplet::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  y.y[0] = mine_batch_hard(a, anchor_distances(a.distance, in[0])).loss;
}
template <typename T>
void BatchHardTriplet::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy,
                                GradArgs<T> d) {
  if (!d.wants(0)) return;
  const Mined<T> m = mine_batch_hard(a, anchor_distances(a.distance, in[0]));
  add_mined_gradient(a.distance, m, in[0], dy.x[0], d[0].y);
}
template <typename T>
uint64_t BatchHardTriplet::kink_signature(const Attrs& a, Args<T> in, In<T>) {
  return mine_batch_hard(a, anchor_distances(a.distance, in[0])).signature;
}

template <typename T>
void SemiHardTriplet::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  y.y[0] = mine_semi_hard(a, anchor_distances(a.distance, in[0])).loss;
}
template <typename T>
void SemiHardTriplet::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy,
                               GradArgs<T> d) {
  if (!d.wants(0)) return;
  const Mined<T> m = mine_semi_hard(a, anchor_distances(a.distance, in[0]));
  add_mined_gradient(a.distance, m, in[0], dy.x[0], d[0].y);
}
template <typename T>
uint64_t SemiHardTriplet::kink_signature(const Attrs& a, Args<T> in, In<T>) {
  return mine_semi_hard(a, anchor_distances(a.distance, in[0])).signature;
}

// ---------------------------------------------------------------- MultipleNegativesRanking

template <typename T>
void MultipleNegativesRanking::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const RowMatrix<T> dist = anchor_distances(TripletDistance::kCosine, in[0]);
  y.y[0] = ranking_loss<T>(static_cast<T>(a.scale), dist, nullptr);
}

template <typename T>
void MultipleNegativesRanking::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy,
                                        GradArgs<T> d) {
  if (!d.wants(0)) return;
  const TripletLayout l = triplet_layout(in[0]);
  const T scale = static_cast<T>(a.scale);
  const RowMatrix<T> dist = anchor_distances(TripletDistance::kCosine, in[0]);
  RowMatrix<T> dlogits(dist.rows(), dist.cols());
  ranking_loss(scale, dist, &dlogits);
  const T* x = in[0].x;
  T* dx = d[0].y;
  for (int64_t i = 0; i < l.batch; ++i)
    for (int64_t k = 0; k < 2 * l.batch; ++k) {
      // s = scale·(1 − d): dL/dd = −scale · dL/ds
      const T g = -scale * dy.x[0] * dlogits(i, k);
      const int64_t u = l.anchor(i), v = l.candidate(k);
      add_triplet_distance_gradient(TripletDistance::kCosine, x + u, x + v, l.dim, g, dx + u,
                                    dx + v);
    }
}

// ------------------------------------------------------------------------ batch statistics

template <typename T>
TripletBatchStats triplet_batch_stats(const Tensor<T>& pred, const TripletStatsOptions& options) {
  const Shape& shape = pred.shape;
  if (shape.rank() < 2 || shape.back() <= 0 || shape.back() % 3 != 0)
    throw std::invalid_argument(
        fmt::format("triplet batch statistics need [B, 3D] (anchor, positive, negative), got {}",
                    shape.to_string()));
  const In<T> view{pred.data.data(), nullptr, shape};
  const TripletLayout l = triplet_layout(view);
  TripletBatchStats stats;
  if (l.batch == 0) return stats;
  const RowMatrix<T> dist = anchor_distances(options.distance, view);
  const bool own = options.candidates == TripletCandidates::kOwn;
  int64_t counted = 0, active = 0;
  double ap = 0, an = 0;
  for (int64_t i = 0; i < l.batch; ++i) {
    const double dap = static_cast<double>(dist(i, i));
    ap += dap;
    for (int64_t k = 0; k < 2 * l.batch; ++k) {
      if (k == i || (own && k != l.batch + i)) continue;
      const double dan = static_cast<double>(dist(i, k));
      ++counted;
      an += dan;
      active += dap - dan + options.margin > 0;
    }
  }
  stats.active_fraction = static_cast<double>(active) / static_cast<double>(counted);
  stats.mean_ap = ap / static_cast<double>(l.batch);
  stats.mean_an = an / static_cast<double>(counted);
  // [B, 3D] row-major is [3B, D]: one embedding a row.
  const Eigen::MatrixXd e =
      ConstMatrixMap<T>(pred.data.data(), 3 * l.batch, l.dim).template cast<double>();
  const Eigen::RowVectorXd mean = e.colwise().mean();
  stats.embedding_variance = (e.rowwise() - mean).array().square().colwise().mean().mean();
  return stats;
}

std::optional<TripletStatsOptions> triplet_stats_options(std::string_view op,
                                                         const std::any& attrs) {
  using graph::TripletDistance;
  if (op == TripletMargin::kName)
    return TripletStatsOptions{TripletDistance::kSquaredEuclidean,
                               attrs_of<TripletMargin>(attrs).alpha, TripletCandidates::kOwn};
  if (op == BatchAllTriplet::kName || op == SemiHardTriplet::kName) {
    const graph::BatchTripletAttrs& a = attrs_of<BatchAllTriplet>(attrs);
    return TripletStatsOptions{a.distance, a.margin, TripletCandidates::kInBatch};
  }
  if (op == BatchHardTriplet::kName) {
    const graph::BatchHardTripletAttrs& a = attrs_of<BatchHardTriplet>(attrs);
    return TripletStatsOptions{a.distance, a.soft ? 0.0 : a.margin, TripletCandidates::kInBatch};
  }
  if (op == MultipleNegativesRanking::kName)
    return TripletStatsOptions{TripletDistance::kCosine, 0.0, TripletCandidates::kInBatch};
  return std::nullopt;
}

// ------------------------------------------------------------------ explicit instantiations

template void BatchAllTriplet::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void BatchAllTriplet::backward(const Attrs&, Context<float>&, Args<float>, In<float>,
                                        In<float>, GradArgs<float>);
template void BatchAllTriplet::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void BatchAllTriplet::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                        In<double>, GradArgs<double>);
template uint64_t BatchAllTriplet::kink_signature(const Attrs&, Args<float>, In<float>);
template uint64_t BatchAllTriplet::kink_signature(const Attrs&, Args<double>, In<double>);

template void BatchHardTriplet::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void BatchHardTriplet::backward(const Attrs&, Context<float>&, Args<float>, In<float>,
                                         In<float>, GradArgs<float>);
template void BatchHardTriplet::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void BatchHardTriplet::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                         In<double>, GradArgs<double>);
template uint64_t BatchHardTriplet::kink_signature(const Attrs&, Args<float>, In<float>);
template uint64_t BatchHardTriplet::kink_signature(const Attrs&, Args<double>, In<double>);

template void SemiHardTriplet::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void SemiHardTriplet::backward(const Attrs&, Context<float>&, Args<float>, In<float>,
                                        In<float>, GradArgs<float>);
template void SemiHardTriplet::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void SemiHardTriplet::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                        In<double>, GradArgs<double>);
template uint64_t SemiHardTriplet::kink_signature(const Attrs&, Args<float>, In<float>);
template uint64_t SemiHardTriplet::kink_signature(const Attrs&, Args<double>, In<double>);

template void MultipleNegativesRanking::forward(const Attrs&, Context<float>&, Args<float>,
                                                Out<float>);
template void MultipleNegativesRanking::backward(const Attrs&, Context<float>&, Args<float>,
                                                 In<float>, In<float>, GradArgs<float>);
template void MultipleNegativesRanking::forward(const Attrs&, Context<double>&, Args<double>,
                                                Out<double>);
template void MultipleNegativesRanking::backward(const Attrs&, Context<double>&, Args<double>,
                                                 In<double>, In<double>, GradArgs<double>);

template TripletBatchStats triplet_batch_stats(const Tensor<float>&, const TripletStatsOptions&);
template TripletBatchStats triplet_batch_stats(const Tensor<double>&, const TripletStatsOptions&);

}  // namespace twinflow::ops
