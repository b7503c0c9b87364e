#include "runtime/train/metrics.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace twinflow::runtime {

namespace {

struct Counts {
  double tp = 0, fp = 0, tn = 0, fn = 0;
};

Counts count_at(std::span<const double> scores, std::span<const double> labels, double t) {
  Counts c;
  for (size_t i = 0; i < scores.size(); ++i) {
    const bool predicted = scores[i] >= t;
    const bool actual = labels[i] >= 0.5;
    if (predicted && actual) c.tp += 1;
    if (predicted && !actual) c.fp += 1;
    if (!predicted && actual) c.fn += 1;
    if (!predicted && !actual) c.tn += 1;
  }
  return c;
}

ThresholdChoice choice_from(const Counts& c, double t) {
  ThresholdChoice out;
  out.threshold = t;
  const double n = c.tp + c.fp + c.tn + c.fn;
  out.accuracy = n > 0 ? (c.tp + c.tn) / n : 0.0;
  out.precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0.0;
  out.recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0.0;
  out.f1 = out.precision + out.recall > 0
               ? 2 * out.precision * out.recall / (out.precision + out.recall)
               : 0.0;
  return out;
}

// Candidate thresholds: below every score, the midpoints between distinct scores, above all.
std::vector<double> candidate_thresholds(std::span<const double> scores) {
  std::vector<double> sorted(scores.begin(), scores.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<double> out;
  if (sorted.empty()) return {0.5};
  out.push_back(sorted.front() - 1.0);
  for (size_t i = 1; i < sorted.size(); ++i) out.push_back(0.5 * (sorted[i - 1] + sorted[i]));
  out.push_back(sorted.back() + 1.0);
  return out;
}

// Sweeps thresholds in increasing order, moving one score at a time from "predicted positive"
// to "predicted negative", so the whole sweep is O(n log n).
template <typename Better>
ThresholdChoice sweep(std::span<const double> scores, std::span<const double> labels,
                      Better better) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  Counts c = count_at(scores, labels, -std::numeric_limits<double>::infinity());
  ThresholdChoice best;
  bool first = true;
  size_t next = 0;
  for (double t : candidate_thresholds(scores)) {
    while (next < order.size() && scores[order[next]] < t) {
      const bool actual = labels[order[next]] >= 0.5;
      (actual ? c.tp : c.fp) -= 1;
      (actual ? c.fn : c.tn) += 1;
      ++next;
    }
    const ThresholdChoice here = choice_from(c, t);
    if (first || better(here, best)) best = here;
    first = false;
  }
  return best;
}

}  // namespace

double accuracy_at(std::span<const double> scores, std::span<const double> labels, double t) {
  return choice_from(count_at(scores, labels, t), t).accuracy;
}

double roc_auc(std::span<const double> scores, std::span<const double> labels) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Average ranks (1-based) over ties, then the Mann–Whitney U of the positives.
  double positive_rank_sum = 0.0, positives = 0.0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (size_t k = i; k < j; ++k)
      if (labels[order[k]] >= 0.5) {
        positive_rank_sum += rank;
        positives += 1;
      }
    i = j;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  if (positives == 0 || negatives == 0) return 0.5;
  return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

ThresholdChoice best_f1_threshold(std::span<const double> scores, std::span<const double> labels) {
  return sweep(scores, labels, [](const ThresholdChoice& a, const ThresholdChoice& b) {
    return a.f1 > b.f1 || (a.f1 == b.f1 && a.accuracy > b.accuracy);
  });
}

ThresholdChoice best_accuracy_threshold(std::span<const double> scores,
                                        std::span<const double> labels) {
  return sweep(scores, labels, [](const ThresholdChoice& a, const ThresholdChoice& b) {
    return a.accuracy > b.accuracy;
  });
}

ThresholdChoice scores_at(std::span<const double> scores, std::span<const double> labels,
                          double t) {
  return choice_from(count_at(scores, labels, t), t);
}

double ordered_fraction(std::span<const double> positive_distance,
                        std::span<const double> negative_distance) {
  if (positive_distance.empty()) return 0.0;
  double ordered = 0.0;
  for (size_t i = 0; i < positive_distance.size(); ++i)
    ordered += positive_distance[i] < negative_distance[i] ? 1.0 : 0.0;
  return ordered / static_cast<double>(positive_distance.size());
}

std::vector<int64_t> candidates_ahead(int64_t n, const DistanceRow& distance_row) {
  std::vector<int64_t> ahead(static_cast<size_t>(std::max<int64_t>(n, 0)));
  std::vector<double> row(ahead.size());
  for (int64_t q = 0; q < n; ++q) {
    distance_row(q, row);
    const double match = row[static_cast<size_t>(q)];
    int64_t count = 0;
    for (int64_t c = 0; c < n; ++c)
      if (c != q && row[static_cast<size_t>(c)] <= match) ++count;
    ahead[static_cast<size_t>(q)] = count;
  }
  return ahead;
}

double recall_at_k(std::span<const int64_t> ahead, int64_t k) {
  if (ahead.empty()) return 0.0;
  double hits = 0.0;
  for (int64_t a : ahead) hits += a < k ? 1.0 : 0.0;
  return hits / static_cast<double>(ahead.size());
}

double mean_reciprocal_rank(std::span<const int64_t> ahead) {
  if (ahead.empty()) return 0.0;
  double sum = 0.0;
  for (int64_t a : ahead) sum += 1.0 / static_cast<double>(a + 1);
  return sum / static_cast<double>(ahead.size());
}

}  // namespace twinflow::runtime
