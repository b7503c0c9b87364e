// runtime/train/metrics.h — how well a model separates, orders and retrieves; used by train and
// eval.
//
// Pair models (a score per pair, higher = more alike; labels 1 = alike, 0 = not):
//   accuracy at a threshold   share of pairs with (score ≥ t) == label
//   ROC-AUC                   P(score of a random positive > score of a random negative), ties
//                             counting one half (the Mann–Whitney statistic, from ranks)
//   best threshold            the t maximising F1 (or accuracy), over the midpoints between
//                             consecutive distinct scores and the ends
// Triplet models (per triplet the anchor-positive and anchor-negative distances):
//   ordered fraction          share with d(a, p) < d(a, n)
// Retrieval (a square matrix of distances, query i's true match is candidate i):
//   recall@k                  share of queries whose match is among the k nearest candidates
//                             (ties are counted against the query: a candidate at the same
//                             distance as the match ranks ahead of it)
//   MRR                       mean over queries of 1 / rank of the match, the rank counted
//                             from 1 with the same rule for ties
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace twinflow::runtime {

double accuracy_at(std::span<const double> scores, std::span<const double> labels, double t);

// 0.5 when either class is absent (no ranking can be judged).
double roc_auc(std::span<const double> scores, std::span<const double> labels);

struct ThresholdChoice {
  double threshold = 0.5;
  double f1 = 0.0;
  double accuracy = 0.0;
  double precision = 0.0;
  double recall = 0.0;
};

// The threshold with the best F1 (ties: the better accuracy, then the lower threshold).
ThresholdChoice best_f1_threshold(std::span<const double> scores, std::span<const double> labels);
// The threshold with the best accuracy (ties: the lower threshold).
ThresholdChoice best_accuracy_threshold(std::span<const double> scores,
                                        std::span<const double> labels);
// F1, precision, recall and accuracy at a given threshold.
ThresholdChoice scores_at(std::span<const double> scores, std::span<const double> labels, double t);

double ordered_fraction(std::span<const double> positive_distance,
                        std::span<const double> negative_distance);

// Retrieval: n queries, n candidates, query q's true match is candidate q. distance_row(q, row)
// fills row (n values) with query q's distance to every candidate. candidates_ahead counts, per
// query, the other candidates at least as near as its match (ties count against it). Rows are
// asked for one at a time, so memory stays O(n): an n×n matrix of a 6,356-row file is 320 MB.
using DistanceRow = std::function<void(int64_t query, std::span<double> row)>;
std::vector<int64_t> candidates_ahead(int64_t n, const DistanceRow& distance_row);
// The share of queries with fewer than k candidates ahead of their match.
double recall_at_k(std::span<const int64_t> ahead, int64_t k);
double mean_reciprocal_rank(std::span<const int64_t> ahead);

}  // namespace twinflow::runtime
