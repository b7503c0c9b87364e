#include "runtime/train/metrics.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <span>
#include <vector>

namespace twinflow::runtime {
namespace {

// P(positive score > negative score) + ½ P(tie), over every positive/negative pair.
double pairwise_auc(const std::vector<double>& s, const std::vector<double>& y) {
  double wins = 0.0, pairs = 0.0;
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t j = 0; j < s.size(); ++j)
      if (y[i] == 1 && y[j] == 0) {
        wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
        pairs += 1;
      }
  return wins / pairs;
}

TEST_SUITE("runtime.metrics") {
  TEST_CASE("ROC-AUC of a small example worked out by hand") {
    // Positives 0.9, 0.4; negatives 0.5, 0.1: of the 4 pairs, 3 are ordered right.
    const std::vector<double> s{0.9, 0.5, 0.4, 0.1}, y{1, 0, 1, 0};
    CHECK(roc_auc(s, y) == doctest::Approx(0.75));
    // A tie between a positive and a negative counts one half.
    const std::vector<double> t{0.5, 0.5}, ty{1, 0};
    CHECK(roc_auc(t, ty) == doctest::Approx(0.5));
    // One class only: nothing to rank.
    const std::vector<double> one{1, 1};
    CHECK(roc_auc(t, one) == 0.5);
  }

  TEST_CASE("ROC-AUC from ranks equals the pairwise definition, ties included") {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> score(0, 20);  // coarse scores: many ties
    std::bernoulli_distribution label(0.4);
    std::vector<double> s, y;
    for (int i = 0; i < 300; ++i) {
      s.push_back(score(rng) / 20.0);
      y.push_back(label(rng) ? 1.0 : 0.0);
    }
    CHECK(roc_auc(s, y) == doctest::Approx(pairwise_auc(s, y)).epsilon(1e-12));
  }

  TEST_CASE("the best thresholds and the scores at a threshold") {
    const std::vector<double> s{0.9, 0.8, 0.7, 0.3, 0.2, 0.6}, y{1, 1, 0, 0, 0, 1};
    // Between 0.3 and 0.6 every pair is on its side except 0.7 (a negative above 0.6).
    const ThresholdChoice acc = best_accuracy_threshold(s, y);
    CHECK(acc.accuracy == doctest::Approx(5.0 / 6.0));
    CHECK(acc.threshold == doctest::Approx(0.45));
    const ThresholdChoice f1 = best_f1_threshold(s, y);
    // At 0.45: tp 3, fp 1, fn 0 → precision 0.75, recall 1, F1 6/7.
    CHECK(f1.f1 == doctest::Approx(6.0 / 7.0));
    CHECK(f1.precision == doctest::Approx(0.75));
    CHECK(f1.recall == doctest::Approx(1.0));
    const ThresholdChoice at = scores_at(s, y, 0.75);  // tp 2, fp 0, fn 1, tn 3
    CHECK(at.accuracy == doctest::Approx(5.0 / 6.0));
    CHECK(at.precision == doctest::Approx(1.0));
    CHECK(at.recall == doctest::Approx(2.0 / 3.0));
    CHECK(accuracy_at(s, y, 0.0) == doctest::Approx(0.5));
  }

  TEST_CASE("a score exactly at the threshold counts as positive (score ≥ t)") {
    const std::vector<double> s{0.5, 0.2}, y{1, 0};
    CHECK(accuracy_at(s, y, 0.5) == 1.0);
    const ThresholdChoice at = scores_at(s, y, 0.5);
    CHECK(at.recall == 1.0);
    CHECK(at.f1 == 1.0);
  }

  // candidates_ahead over the rows of an n×n matrix.
  std::vector<int64_t> ahead_in(const std::vector<double>& d, int64_t n) {
    return candidates_ahead(n, [&d, n](int64_t q, std::span<double> row) {
      REQUIRE(static_cast<int64_t>(row.size()) == n);
      std::copy_n(d.begin() + q * n, n, row.begin());
    });
  }

  TEST_CASE("triplet ordering and recall@k") {
    const std::vector<double> ap{0.1, 0.5, 0.3}, an{0.2, 0.4, 0.3};
    CHECK(ordered_fraction(ap, an) == doctest::Approx(1.0 / 3.0));  // a tie is not ordered
    // Query 0 finds its match first; query 1's match is second; query 2's ties with another.
    const std::vector<double> d{0.1, 0.5, 0.9,  //
                                0.2, 0.3, 0.4,  //
                                0.7, 0.7, 0.7};
    CHECK(recall_at_k(ahead_in(d, 3), 1) == doctest::Approx(1.0 / 3.0));
    CHECK(recall_at_k(ahead_in(d, 3), 2) == doctest::Approx(2.0 / 3.0));
    CHECK(recall_at_k(ahead_in(d, 3), 3) == doctest::Approx(1.0));
  }

  TEST_CASE("mean reciprocal rank") {
    // Query 0's match is nearest (rank 1); query 1's is behind one candidate (rank 2); query
    // 2's ties with both others, and ties count against it (rank 3); query 3's is behind 0.1
    // and 0.2 (rank 3). MRR = (1 + 1/2 + 1/3 + 1/3) / 4 = 13/24.
    const std::vector<double> d{0.1, 0.5, 0.9, 0.8,  //
                                0.2, 0.3, 0.4, 0.9,  //
                                0.7, 0.7, 0.7, 0.9,  //
                                0.1, 0.9, 0.2, 0.5};
    CHECK(mean_reciprocal_rank(ahead_in(d, 4)) == doctest::Approx(13.0 / 24.0));
    CHECK(recall_at_k(ahead_in(d, 4), 1) == doctest::Approx(1.0 / 4.0));
    CHECK(recall_at_k(ahead_in(d, 4), 2) == doctest::Approx(2.0 / 4.0));
    CHECK(recall_at_k(ahead_in(d, 4), 3) == doctest::Approx(1.0));
    const std::vector<double> one{0.4};
    CHECK(mean_reciprocal_rank(ahead_in(one, 1)) == doctest::Approx(1.0));
    CHECK(mean_reciprocal_rank(ahead_in({}, 0)) == 0.0);
  }
}

}  // namespace
}  // namespace twinflow::runtime
