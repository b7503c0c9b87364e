#include "ops/mining_losses.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::BatchHardTripletAttrs;
using graph::BatchTripletAttrs;
using graph::MultipleNegativesRankingAttrs;
using graph::Shape;
using graph::TripletDistance;
using graph::ValueInfo;
using testing::OpCase;

constexpr std::array kDistances = {TripletDistance::kSquaredEuclidean, TripletDistance::kEuclidean,
                                   TripletDistance::kCosine};

// Margins that leave some in-batch triplets active and some not for N(0, 1) embeddings of
// D = 3: squared distances are ~6 ± 4, Euclidean ~2.3 ± 0.9, cosine in [0, 2].
double margin_for(TripletDistance d) {
  switch (d) {
    case TripletDistance::kSquaredEuclidean:
      return 2.0;
    case TripletDistance::kEuclidean:
      return 0.5;
    case TripletDistance::kCosine:
      return 0.2;
  }
  return 0.0;
}

// pred [B, 3D] of N(0, 1) values, or given ones.
OpCase mining_case(const OpDef& op, std::any attrs, std::string label, int64_t batch, int64_t dim,
                   std::vector<double> values = {}) {
  OpCase c{
      fmt::format("{} [{}, {}] {}", op.name, batch, 3 * dim, label), &op, std::move(attrs), {}};
  c.inputs.push_back(values.empty() ? testing::random_input(Shape{batch, 3 * dim})
                                    : testing::given_input(Shape{batch, 3 * dim}, values));
  return c;
}

OpCase batch_all_case(TripletDistance d, int64_t batch = 4, int64_t dim = 3) {
  return mining_case(op_def<BatchAllTriplet>(), BatchTripletAttrs{margin_for(d), d},
                     std::string(to_string(d)), batch, dim);
}

OpCase batch_hard_case(TripletDistance d, bool soft = false, int64_t batch = 4, int64_t dim = 3) {
  return mining_case(op_def<BatchHardTriplet>(), BatchHardTripletAttrs{margin_for(d), d, soft},
                     fmt::format("{}{}", to_string(d), soft ? " soft" : ""), batch, dim);
}

OpCase semi_hard_case(TripletDistance d, int64_t batch = 4, int64_t dim = 3) {
  return mining_case(op_def<SemiHardTriplet>(), BatchTripletAttrs{margin_for(d), d},
                     std::string(to_string(d)), batch, dim);
}

OpCase ranking_case(double scale, int64_t batch = 4, int64_t dim = 3) {
  return mining_case(op_def<MultipleNegativesRanking>(), MultipleNegativesRankingAttrs{scale},
                     fmt::format("scale {}", scale), batch, dim);
}

std::vector<OpCase> batch_all_samples() {
  std::vector<OpCase> cases;
  for (TripletDistance d : kDistances) cases.push_back(batch_all_case(d));
  cases.push_back(batch_all_case(TripletDistance::kEuclidean, 1, 2));  // only n_1 to compare
  return cases;
}

std::vector<OpCase> batch_hard_samples() {
  std::vector<OpCase> cases;
  for (TripletDistance d : kDistances) cases.push_back(batch_hard_case(d));
  for (TripletDistance d : kDistances) cases.push_back(batch_hard_case(d, true));
  cases.push_back(batch_hard_case(TripletDistance::kSquaredEuclidean, false, 1, 2));
  return cases;
}

std::vector<OpCase> semi_hard_samples() {
  std::vector<OpCase> cases;
  for (TripletDistance d : kDistances) cases.push_back(semi_hard_case(d));
  cases.push_back(semi_hard_case(TripletDistance::kCosine, 5, 2));
  return cases;
}

std::vector<OpCase> ranking_samples() {
  return {ranking_case(20.0), ranking_case(1.0), ranking_case(20.0, 1, 2), ranking_case(5.0, 3, 4)};
}

const bool kMiningLossesSamplesRegistered =
    (testing::register_op_samples("BatchAllTriplet", batch_all_samples),
     testing::register_op_samples("BatchHardTriplet", batch_hard_samples),
     testing::register_op_samples("SemiHardTriplet", semi_hard_samples),
     testing::register_op_samples("MultipleNegativesRanking", ranking_samples), true);

// A 2-row batch with D = 1, candidates c = [p0, p1, n0, n1] = [1, 1.5, 2, 5]:
//   row 0: a = 0, p = 1,   n = 2     d_0k = [1, 2.25, 4, 25]   d_ap = 1
//   row 1: a = 3, p = 1.5, n = 5     d_1k = [4, 2.25, 1, 4]    d_ap = 2.25
const std::vector<double> kTwoRows = {0, 1, 2, 3, 1.5, 5};

double forward_of(const OpDef& op, std::any attrs, const std::vector<double>& values,
                  int64_t dim = 1) {
  const int64_t batch = static_cast<int64_t>(values.size()) / (3 * dim);
  return testing::run_forward(mining_case(op, std::move(attrs), "", batch, dim, values))[0];
}

void check_mining_cases(const std::vector<OpCase>& cases) {
  for (const OpCase& c : cases) {
    CAPTURE(c.label);
    // Relative error above the tensor's gradient scale (autograd/gradcheck.h), central differences
    // with eps = 1e-6 in float64: smooth pieces agree to ~1e-9; probes across a mining choice or a
    // hinge are skipped by kink_signature.
    const auto report = testing::check_op(c, 1e-6);
    INFO(report.to_string());
    CHECK(report.passed());
    for (const auto& t : report.tensors) CHECK(t.skipped * 2 < t.probes);
  }
}

TEST_SUITE("ops.mining_losses") {
  TEST_CASE("shape rule: pred [B, 3D], as TripletMargin reads it") {
    const int64_t b = graph::kBatch;
    CHECK(BatchHardTriplet::infer_shape({}, std::vector<ValueInfo>{{Shape{b, 12}}}) == Shape{});
    CHECK(MultipleNegativesRanking::infer_shape({}, std::vector<ValueInfo>{{Shape{b, 3}}}) ==
          Shape{});
    CHECK_THROWS_WITH_AS(BatchAllTriplet::infer_shape({}, std::vector<ValueInfo>{{Shape{b, 10}}}),
                         doctest::Contains("must be a positive multiple of 3, got 10"),
                         graph::ShapeError);
    CHECK_THROWS_WITH_AS(SemiHardTriplet::infer_shape({}, std::vector<ValueInfo>{{Shape{12}}}),
                         doctest::Contains("must be [B, 3D]"), graph::ShapeError);
    CHECK_THROWS_AS(MultipleNegativesRanking::infer_shape(
                        {}, std::vector<ValueInfo>{{Shape{b, 12}, graph::DType::kInt32}}),
                    graph::ShapeError);
  }

  TEST_CASE("BatchAllTriplet on a 2-row batch") {
    // margin 2, h = d_ap − d_ak + 2 over k ≠ i:
    //   row 0 (k = 1, 2, 3): 1 − 2.25 + 2 = 0.75, 1 − 4 + 2 = −1, 1 − 25 + 2 = −22
    //   row 1 (k = 0, 2, 3): 2.25 − 4 + 2 = 0.25, 2.25 − 1 + 2 = 3.25, 0.25
    //   (0.75 + 0.25 + 3.25 + 0.25) / 4 active = 1.125
    const OpDef& op = op_def<BatchAllTriplet>();
    const TripletDistance sq = TripletDistance::kSquaredEuclidean;
    CHECK(forward_of(op, BatchTripletAttrs{2.0, sq}, kTwoRows) ==
          doctest::Approx(1.125).epsilon(1e-14));
    // margin 1: only row 1's k = 2 is active (2.25 − 1 + 1 = 2.25), so the mean is 2.25.
    CHECK(forward_of(op, BatchTripletAttrs{1.0, sq}, kTwoRows) ==
          doctest::Approx(2.25).epsilon(1e-14));
    // margin 0 with every negative farther than its positive: nothing active, L = 0.
    CHECK(forward_of(op, BatchTripletAttrs{0.0, sq}, {0, 0, 5, 9, 9, 1}) == 0.0);
  }

  TEST_CASE("BatchHardTriplet on a 2-row batch, hinge and soft") {
    // Hardest negatives: row 0 k = 1 (2.25), row 1 k = 2 (1).
    //   margin 2: (1 − 2.25 + 2 = 0.75, 2.25 − 1 + 2 = 3.25) → mean 2
    //   margin 0: (−1.25 → 0, 1.25) → mean 0.625
    //   soft: (softplus(−1.25) + softplus(1.25)) / 2 = 0.876929081345373
    const OpDef& op = op_def<BatchHardTriplet>();
    const TripletDistance sq = TripletDistance::kSquaredEuclidean;
    CHECK(forward_of(op, BatchHardTripletAttrs{2.0, sq, false}, kTwoRows) ==
          doctest::Approx(2.0).epsilon(1e-14));
    CHECK(forward_of(op, BatchHardTripletAttrs{0.0, sq, false}, kTwoRows) ==
          doctest::Approx(0.625).epsilon(1e-14));
    CHECK(forward_of(op, BatchHardTripletAttrs{2.0, sq, true}, kTwoRows) ==
          doctest::Approx(0.876929081345373).epsilon(1e-14));
  }

  TEST_CASE("SemiHardTriplet on a 2-row batch, with and without a semi-hard negative") {
    // margin 2: row 0 takes the closest negative beyond d_ap = 1: 2.25 → 0.75; row 1 the
    // closest beyond 2.25: 4 → 0.25; mean 0.5 (batch-hard would give 2).
    const OpDef& op = op_def<SemiHardTriplet>();
    const TripletDistance sq = TripletDistance::kSquaredEuclidean;
    CHECK(forward_of(op, BatchTripletAttrs{2.0, sq}, kTwoRows) ==
          doctest::Approx(0.5).epsilon(1e-14));
    // p1 = −1 puts row 1's positive at 16, beyond every negative (d_1k = 4, 1, 4 for k = 0,
    // 2, 3): it falls back to the farthest, 4 → 16 − 4 + 2 = 14. Row 0 (d_0k = 1, 4, 25 for
    // k = 1, 2, 3, d_ap = 1): the closest beyond 1 is 4 → 1 − 4 + 2 < 0. Mean 7.
    CHECK(forward_of(op, BatchTripletAttrs{2.0, sq}, {0, 1, 2, 3, -1, 5}) ==
          doctest::Approx(7.0).epsilon(1e-14));
  }

  TEST_CASE("the three distances on a one-row batch") {
    // B = 1 leaves n alone: L = max(d(a, p) − d(a, n) + m, 0) with a = [0, 0], p = [3, 4],
    // n = [0, 1]: squared 25 − 1, Euclidean sqrt(25 + 1e-12) − sqrt(1 + 1e-12) = 4 − 4e-13.
    const OpDef& op = op_def<BatchHardTriplet>();
    const std::vector<double> row = {0, 0, 3, 4, 0, 1};
    CHECK(forward_of(op, BatchHardTripletAttrs{0.5, TripletDistance::kSquaredEuclidean, false}, row,
                     2) == doctest::Approx(24.5).epsilon(1e-14));
    CHECK(forward_of(op, BatchHardTripletAttrs{0.5, TripletDistance::kEuclidean, false}, row, 2) ==
          doctest::Approx(4.5).epsilon(1e-12));
    // cosine: a = [1, 0], p = [0, 1] (d = 1), n = [1, 1] (d = 1 − 1/√2): h = 1/√2.
    CHECK(forward_of(op, BatchHardTripletAttrs{0.0, TripletDistance::kCosine, false},
                     {1, 0, 0, 1, 1, 1}, 2) == doctest::Approx(0.7071067811865475).epsilon(1e-14));
    // A zero vector has cosine distance 1 to everything, not NaN.
    CHECK(forward_of(op, BatchHardTripletAttrs{0.0, TripletDistance::kCosine, false},
                     {0, 0, 0, 1, 1, 1}, 2) == doctest::Approx(0.0).epsilon(1e-14));
  }

  TEST_CASE("MultipleNegativesRanking on a 2-row batch") {
    // a0 = [1, 0], p0 = [1, 0], n0 = [0, 1]; a1 = [0, 1], p1 = [1, 1], n1 = [−1, 0].
    // c = [p0, p1, n0, n1]: cos(a0, c) = [1, 1/√2, 0, −1], target 0;
    //                       cos(a1, c) = [0, 1/√2, 1, 0], target 1.
    // L = ½ Σ_i (log Σ_k e^{s·cos_ik} − s·cos_ii): s = 1 → 1.0062640905528522,
    // s = 20 → 2.931785456155901 (worked out in Python's math module).
    const std::vector<double> x = {1, 0, 1, 0, 0, 1, 0, 1, 1, 1, -1, 0};
    const OpDef& op = op_def<MultipleNegativesRanking>();
    CHECK(forward_of(op, MultipleNegativesRankingAttrs{1.0}, x, 2) ==
          doctest::Approx(1.0062640905528522).epsilon(1e-12));
    CHECK(forward_of(op, MultipleNegativesRankingAttrs{20.0}, x, 2) ==
          doctest::Approx(2.931785456155901).epsilon(1e-12));
  }

  TEST_CASE("gradients in float64 by central differences, B = 4, D = 3") {
    check_mining_cases(batch_all_samples());
    check_mining_cases(batch_hard_samples());
    check_mining_cases(semi_hard_samples());
    check_mining_cases(ranking_samples());
  }

  TEST_CASE("the random samples have active and inactive triplets") {
    for (TripletDistance d : kDistances) {
      CAPTURE(to_string(d));
      const testing::BuiltCase b = testing::build_case(batch_all_case(d));
      const Tensor<double>& pred = b.feeds.reals.at(b.inputs[0]);
      const TripletBatchStats s = triplet_batch_stats(pred, TripletStatsOptions{d, margin_for(d)});
      CHECK(s.active_fraction > 0.1);
      CHECK(s.active_fraction < 0.9);
    }
  }

  TEST_CASE("backward adds into pre-filled gradients") {
    for (TripletDistance d : kDistances) {
      CHECK(testing::accumulation_gap(batch_all_case(d)) < 1e-12);
      CHECK(testing::accumulation_gap(batch_hard_case(d)) < 1e-12);
      CHECK(testing::accumulation_gap(batch_hard_case(d, true)) < 1e-12);
      CHECK(testing::accumulation_gap(semi_hard_case(d)) < 1e-12);
    }
    CHECK(testing::accumulation_gap(ranking_case(20.0)) < 1e-12);
  }

  TEST_CASE("float and double kernels agree") {
    for (const OpCase& c :
         {batch_all_case(TripletDistance::kEuclidean),
          batch_hard_case(TripletDistance::kCosine, true),
          semi_hard_case(TripletDistance::kSquaredEuclidean), ranking_case(20.0)}) {
      CAPTURE(c.label);
      const auto f = testing::run_case<float>(c, {0.7});
      const auto d = testing::run_case<double>(c, {0.7});
      CHECK(static_cast<double>(f.y[0]) == doctest::Approx(d.y[0]).epsilon(1e-5));
      double worst = 0, scale = 0;
      for (size_t i = 0; i < d.grads[0].size(); ++i) {
        worst = std::max(worst, std::abs(static_cast<double>(f.grads[0][i]) - d.grads[0][i]));
        scale = std::max(scale, std::abs(d.grads[0][i]));
      }
      CHECK(scale > 0);
      CHECK(worst < 1e-4 * std::max(scale, 1.0));
    }
  }

  TEST_CASE("kink_signature follows the mining choice") {
    const KinkFn<double> kink = op_def<BatchHardTriplet>().kink<double>();
    const auto signature = [&](const std::vector<double>& x) {
      const In<double> in{x.data(), nullptr, Shape{2, 3}};
      return kink(BatchHardTripletAttrs{2.0, TripletDistance::kSquaredEuclidean, false},
                  std::span<const In<double>>(&in, 1), In<double>{});
    };
    std::vector<double> x = kTwoRows;
    const uint64_t base = signature(x);
    x[2] = 2.01;  // n0 moves a little: still not row 0's hardest (p1 at 2.25 is)
    CHECK(signature(x) == base);
    x[2] = 1.2;  // n0 at 1.44 is now row 0's hardest
    CHECK(signature(x) != base);
    // Hinge activity counts too: margin 0 leaves row 0 inactive; pulling p0 in does not
    // change that, pushing it beyond the hardest negative does.
    const KinkFn<double> all = op_def<BatchAllTriplet>().kink<double>();
    const auto all_signature = [&](const std::vector<double>& v) {
      const In<double> in{v.data(), nullptr, Shape{2, 3}};
      return all(BatchTripletAttrs{0.0, TripletDistance::kSquaredEuclidean},
                 std::span<const In<double>>(&in, 1), In<double>{});
    };
    std::vector<double> y = kTwoRows;
    const uint64_t all_base = all_signature(y);
    y[1] = 0.9;
    CHECK(all_signature(y) == all_base);
    y[1] = 1.6;  // d_ap = 2.56 > 2.25
    CHECK(all_signature(y) != all_base);
  }
}

TEST_SUITE("ops.mining_losses") {
  TEST_CASE("triplet_batch_stats counts in-batch or own triplets") {
    Tensor<double> pred(Shape{2, 3});
    pred.data = kTwoRows;
    // In-batch, squared, margin 2: the 4 active of 6 (see BatchAllTriplet's value test).
    const TripletBatchStats s =
        triplet_batch_stats(pred, TripletStatsOptions{TripletDistance::kSquaredEuclidean, 2.0});
    CHECK(s.active_fraction == doctest::Approx(4.0 / 6.0).epsilon(1e-14));
    CHECK(s.mean_ap == doctest::Approx((1 + 2.25) / 2).epsilon(1e-14));
    CHECK(s.mean_an == doctest::Approx((2.25 + 4 + 25 + 4 + 1 + 4) / 6).epsilon(1e-14));
    // Embeddings 0, 1, 2, 3, 1.5, 5: mean 12.5/6, variance 41.25/6 − (12.5/6)².
    CHECK(s.embedding_variance == doctest::Approx(2.5347222222222214).epsilon(1e-13));
    // Own triplets (TripletMargin's): (1 − 4 + 2 < 0, 2.25 − 4 + 2 > 0) → one of two.
    const TripletBatchStats own = triplet_batch_stats(
        pred,
        TripletStatsOptions{TripletDistance::kSquaredEuclidean, 2.0, TripletCandidates::kOwn});
    CHECK(own.active_fraction == doctest::Approx(0.5).epsilon(1e-14));
    CHECK(own.mean_an == doctest::Approx(4.0).epsilon(1e-14));
    const TripletBatchStats own_alpha = triplet_batch_stats(
        pred,
        TripletStatsOptions{TripletDistance::kSquaredEuclidean, 0.4, TripletCandidates::kOwn});
    CHECK(own_alpha.active_fraction == 0.0);
  }

  TEST_CASE("triplet_batch_stats sees a collapsed tower") {
    Tensor<float> pred(Shape{3, 6}, 0.5f);  // every embedding [0.5, 0.5]
    const TripletBatchStats s =
        triplet_batch_stats(pred, TripletStatsOptions{TripletDistance::kEuclidean, 0.3});
    CHECK(s.embedding_variance == 0.0);
    CHECK(s.active_fraction == 1.0);           // every hinge sits at the margin
    CHECK(std::abs(s.mean_ap - 1e-6) < 1e-9);  // sqrt(0 + ε²)
    CHECK_THROWS_AS(triplet_batch_stats(Tensor<float>(Shape{3, 4}), TripletStatsOptions{}),
                    std::invalid_argument);
    const TripletBatchStats empty = triplet_batch_stats(Tensor<float>(Shape{0, 6}), {});
    CHECK(empty.active_fraction == 0.0);
  }

  TEST_CASE("triplet_stats_options reads a loss node's op and attrs") {
    const auto margin = triplet_stats_options("TripletMargin", graph::TripletMarginAttrs{0.7});
    REQUIRE(margin);
    CHECK(margin->candidates == TripletCandidates::kOwn);
    CHECK(margin->distance == TripletDistance::kSquaredEuclidean);
    CHECK(margin->margin == 0.7);
    const auto hard = triplet_stats_options(
        "BatchHardTriplet", BatchHardTripletAttrs{0.3, TripletDistance::kCosine, false});
    REQUIRE(hard);
    CHECK(hard->candidates == TripletCandidates::kInBatch);
    CHECK(hard->distance == TripletDistance::kCosine);
    CHECK(hard->margin == 0.3);
    const auto soft = triplet_stats_options(
        "BatchHardTriplet", BatchHardTripletAttrs{0.3, TripletDistance::kEuclidean, true});
    CHECK(soft->margin == 0.0);
    const auto semi = triplet_stats_options("SemiHardTriplet",
                                            BatchTripletAttrs{0.2, TripletDistance::kEuclidean});
    CHECK(semi->margin == 0.2);
    const auto ranking =
        triplet_stats_options("MultipleNegativesRanking", MultipleNegativesRankingAttrs{});
    CHECK(ranking->distance == TripletDistance::kCosine);
    CHECK_FALSE(triplet_stats_options("Contrastive", graph::ContrastiveAttrs{}));
  }
}

}  // namespace
}  // namespace twinflow::ops
