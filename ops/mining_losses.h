// ops/mining_losses.h — triplet losses that mine their negatives inside the batch, and the
// batch statistics the trainer reports for triplet models. Each loss returns a scalar.
//
// pred [B, 3D] holds rows [a_i | p_i | n_i] (anchor, positive, negative side by side, as
// TripletMargin reads it; extra leading axes count as batch rows). The candidates are
//   c_k = p_k (k < B),  c_k = n_{k−B} (B ≤ k < 2B)
// and anchor i's negatives are every candidate but its own positive, k ≠ i:
//   {n_i} ∪ {p_j, n_j : j ≠ i}   (2B − 1 of them; B = 1 leaves n_1 alone).
// d_ik = d(a_i, c_k), so d_ap(i) = d_ii. Distances (`distance:`):
//   squared_euclidean  |u − v|²
//   euclidean          sqrt(|u − v|² + ε²), ε = 1e-6: smooth, d(u, u) = 1e-6, gradient 0 there
//   cosine             1 − u·v / (N(u)·N(v)),  N(u) = sqrt(|u|² + ε²), ε = 1e-8 (0 gives d = 1)
//
// BatchAllTriplet (Hermans et al. 2017 "batch all", TF-Addons / Omoindrot's definition)
//   h_ik = d_ii − d_ik + m for all i, k ≠ i;   L = Σ max(h_ik, 0) / #{h_ik > 0}  (0 when none)
//   The count is piecewise constant, so the gradient holds it fixed:
//   dL/dh_ik = dy / #active where h_ik > 0, else 0.
// BatchHardTriplet (Hermans et al. 2017): k*_i = argmin_{k≠i} d_ik (the first on a tie)
//   L = (1/B) Σ_i max(d_ii − d_ik* + m, 0),  or with `soft`: (1/B) Σ_i softplus(d_ii − d_ik*)
// SemiHardTriplet (FaceNet, TF-Addons triplet_semihard_loss): k*_i = argmin of d_ik over the
//   k ≠ i with d_ik > d_ii; when there is none, argmax_{k≠i} d_ik.
//   L = (1/B) Σ_i max(d_ii − d_ik* + m, 0)
// In all three, a term's gradient is dL/dh · (∇d_ii − ∇d_ik*) into a_i, p_i and c_k*, and the
// mining choice is held fixed (it is piecewise constant). kink_signature hashes every discrete
// choice: each hinge's activity and each chosen k*.
//
// MultipleNegativesRanking (sentence-transformers' MultipleNegativesRankingLoss): over all 2B
// candidates, own positive included, s_ik = scale · cos(a_i, c_k) (the cosine above);
//   L = (1/B) Σ_i [log Σ_k exp(s_ik) − s_ii]     (cross-entropy of softmax_k s_ik, target k = i)
//   dL/ds_ik = dy/B · (softmax_k(s_i)_k − [k = i]). Smooth: no kinks.
//
// Which one: batch_hard_triplet (or soft) is the usual choice for embeddings trained from
// scratch; semi_hard_triplet is gentler early (FaceNet); batch_all_triplet uses every violating
// triplet; multiple_negatives_ranking needs no margin and suits cosine retrieval.
#pragma once

#include <any>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "ops/op_def.h"

namespace twinflow::ops {

struct BatchAllTriplet {
  using Attrs = graph::BatchTripletAttrs;
  static constexpr std::string_view kName = "BatchAllTriplet";
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

struct BatchHardTriplet {
  using Attrs = graph::BatchHardTripletAttrs;
  static constexpr std::string_view kName = "BatchHardTriplet";
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

struct SemiHardTriplet {
  using Attrs = graph::BatchTripletAttrs;
  static constexpr std::string_view kName = "SemiHardTriplet";
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

struct MultipleNegativesRanking {
  using Attrs = graph::MultipleNegativesRankingAttrs;
  static constexpr std::string_view kName = "MultipleNegativesRanking";
  static constexpr int kMinInputs = 1;
  static constexpr int kMaxInputs = 1;

  static graph::Shape infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in);
  static std::string describe(const Attrs& a);
  template <typename T>
  static void forward(const Attrs& a, Context<T>& ctx, Args<T> in, Out<T> y);
  template <typename T>
  static void backward(const Attrs& a, Context<T>& ctx, Args<T> in, In<T> y, In<T> dy,
                       GradArgs<T> d);
};

// ------------------------------------------------------------------ batch statistics

// Which triplets triplet_batch_stats counts.
enum class TripletCandidates {
  kInBatch,  // all B·(2B − 1) triplets (a_i, p_i, c_k), k ≠ i: what the mining losses see
  kOwn,      // the B triplets (a_i, p_i, n_i): what TripletMargin sees
};

struct TripletStatsOptions {
  graph::TripletDistance distance = graph::TripletDistance::kSquaredEuclidean;
  double margin = 0.4;
  TripletCandidates candidates = TripletCandidates::kInBatch;
};

struct TripletBatchStats {
  double active_fraction = 0;     // of the counted triplets, those with d_ap − d_an + m > 0
  double mean_ap = 0;             // mean d(a_i, p_i) over the rows
  double mean_an = 0;             // mean d(a_i, c) over the counted triplets' negatives c
  double embedding_variance = 0;  // mean over the D dimensions of the variance (÷3B) of the
                                  // 3B embeddings; near 0: the tower has collapsed
};

// Statistics of one batch pred [B, 3D] (as the losses read it). An empty batch gives zeros.
// Throws std::invalid_argument when pred is not [..., 3D].
template <typename T>
TripletBatchStats triplet_batch_stats(const Tensor<T>& pred, const TripletStatsOptions& options);

// The options matching a loss node: its registered op name and attrs. TripletMargin counts its
// own triplets under squared_euclidean and alpha; the three miners count in-batch triplets
// under their distance and margin (soft batch-hard: margin 0); MultipleNegativesRanking counts
// in-batch triplets under cosine with margin 0 (a candidate at least as close as the
// positive). nullopt for any other op.
std::optional<TripletStatsOptions> triplet_stats_options(std::string_view op,
                                                         const std::any& attrs);

}  // namespace twinflow::ops
