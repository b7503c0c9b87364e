#include "runtime/train/evaluation.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <span>
#include <type_traits>

#include "runtime/train/metrics.h"

namespace twinflow::runtime {

namespace {

// The roles' distance between two tower outputs, computed in double.
template <typename T>
double distance_between(graph::TripletDistance distance, const T* a, const T* b, int64_t dim) {
  if constexpr (std::is_same_v<T, double>) {
    return tower_distance(distance, a, b, dim);
  } else {
    const std::vector<double> u(a, a + dim), v(b, b + dim);
    return tower_distance(distance, u.data(), v.data(), dim);
  }
}

template <typename T>
void collect_pairs(const ModelRoles& roles, const Executor<T>& executor, const Batch<T>& batch,
                   EvalResult& result) {
  const ops::Tensor<T>& score = executor.value(roles.score);
  const ops::Tensor<T>& label = batch.column(*roles.target).values;
  for (int64_t i = 0; i < batch.size(); ++i) {
    const double s = static_cast<double>(score.data[static_cast<size_t>(i)]);
    const double y = static_cast<double>(label.data[static_cast<size_t>(i)]);
    result.scores.push_back(roles.score_is_distance ? -s : s);
    result.labels.push_back(y);
    if (roles.has_threshold && (s >= 0.5) == (y >= 0.5)) ++result.hits;
  }
}

template <typename T>
void collect_triplets(const ModelRoles& roles, const Executor<T>& executor, const Batch<T>& batch,
                      EvalResult& result) {
  const ops::Tensor<T>& a = executor.value(roles.towers[0]);
  const ops::Tensor<T>& p = executor.value(roles.towers[1]);
  const ops::Tensor<T>& n = executor.value(roles.towers[2]);
  const int64_t dim = a.shape[1];
  result.distance = roles.distance;
  for (int64_t i = 0; i < batch.size(); ++i) {
    const size_t at = static_cast<size_t>(i * dim);
    const double ap = distance_between(roles.distance, &a.data[at], &p.data[at], dim);
    const double an = distance_between(roles.distance, &a.data[at], &n.data[at], dim);
    result.positive_distance.push_back(ap);
    result.negative_distance.push_back(an);
    if (ap < an) ++result.hits;
  }
}

template <typename T>
void append(const ops::Tensor<T>& t, std::vector<double>& out) {
  for (T x : t.data) out.push_back(static_cast<double>(x));
}

}  // namespace

template <typename T>
void collect(const ModelRoles& roles, const Executor<T>& executor, const Batch<T>& batch,
             bool keep_towers, EvalResult& result) {
  const double loss = static_cast<double>(executor.value(roles.loss).data.at(0));
  result.loss_sum += loss * static_cast<double>(batch.size());
  result.rows += batch.size();
  if (roles.family == ModelFamily::kPair)
    collect_pairs(roles, executor, batch, result);
  else
    collect_triplets(roles, executor, batch, result);
  if (keep_towers) {
    const ops::Tensor<T>& first = executor.value(roles.towers[0]);
    result.dim = first.shape[1];
    append(first, result.first);
    append(executor.value(roles.towers[1]), result.second);
  }
}

template <typename T>
EvalResult evaluate(const ModelRoles& roles, Executor<T>& executor, const Dataset& data,
                    int64_t batch_size, bool keep_towers, Communicator& processes) {
  EvalResult result;
  const Share share = share_of(data.rows(), processes.rank(), processes.size());
  std::vector<int64_t> rows;
  Batch<T> batch;
  for (int64_t first = share.begin; first < share.end; first += batch_size) {
    rows.resize(static_cast<size_t>(std::min(batch_size, share.end - first)));
    std::iota(rows.begin(), rows.end(), first);
    gather(data, rows, batch);
    feed(executor, batch);
    executor.forward(false, 0);
    collect(roles, executor, batch, keep_towers, result);
  }
  merge_across(processes, result);
  return result;
}

void merge_across(Communicator& processes, EvalResult& result) {
  if (processes.size() == 1) return;
  std::vector<int64_t> counts{result.rows, result.hits, result.dim};
  processes.sum(std::span(counts.data(), 2));
  std::vector<double> loss{result.loss_sum};
  processes.sum(std::span(loss));
  result.rows = counts[0];
  result.hits = counts[1];
  result.loss_sum = loss[0];
  for (std::vector<double>* values : {&result.scores, &result.labels, &result.positive_distance,
                                      &result.negative_distance, &result.first, &result.second})
    *values = processes.gather(std::span<const double>(*values));
  // A process with no rows has no tower width to tell.
  const std::vector<int64_t> dims = processes.gather(std::span<const int64_t>(&result.dim, 1));
  result.dim = *std::max_element(dims.begin(), dims.end());
}

bool metric_applies(const ModelRoles& roles, std::string_view name, bool tower_outputs) {
  if (roles.family == ModelFamily::kTriplet)
    return name == "triplet_accuracy" ||
           ((name == "recall_at_1" || name == "recall_at_5") && tower_outputs);
  if (name == "auc") return true;
  return roles.has_threshold &&
         (name == "accuracy" || name == "f1" || name == "precision" || name == "recall");
}

std::span<const std::string> metrics_shown(const ModelRoles& roles,
                                           std::span<const std::string> wanted) {
  static const std::vector<std::string> kPairDefaults = {"accuracy", "auc"};
  static const std::vector<std::string> kTripletDefaults = {"triplet_accuracy"};
  if (!wanted.empty()) return wanted;
  return roles.family == ModelFamily::kTriplet ? kTripletDefaults : kPairDefaults;
}

std::vector<std::pair<std::string, double>> summary_metrics(const ModelRoles& roles,
                                                            const EvalResult& result,
                                                            std::span<const std::string> wanted) {
  std::vector<std::pair<std::string, double>> metrics;
  std::optional<ThresholdChoice> at_half;  // f1, precision and recall share one pass
  for (const std::string& name : metrics_shown(roles, wanted)) {
    if (!metric_applies(roles, name, result.dim > 0)) continue;
    if (name == "triplet_accuracy" || name == "accuracy") {
      metrics.emplace_back(name, result.hit_rate());
    } else if (name == "recall_at_1" || name == "recall_at_5") {
      metrics.emplace_back(name, tower_recall_at(result, name == "recall_at_1" ? 1 : 5));
    } else if (name == "auc") {
      metrics.emplace_back(name, roc_auc(result.scores, result.labels));
    } else {
      if (!at_half) at_half = scores_at(result.scores, result.labels, 0.5);
      metrics.emplace_back(name, name == "f1"          ? at_half->f1
                                 : name == "precision" ? at_half->precision
                                                       : at_half->recall);
    }
  }
  return metrics;
}

double tower_variance(const EvalResult& result) {
  const int64_t dim = result.dim;
  if (dim == 0 || result.first.empty()) return 0.0;
  const int64_t n = static_cast<int64_t>(result.first.size()) / dim;
  double total = 0.0;
  for (int64_t j = 0; j < dim; ++j) {
    double mean = 0.0, square = 0.0;
    for (int64_t i = 0; i < n; ++i) mean += result.first[static_cast<size_t>(i * dim + j)];
    mean /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) {
      const double d = result.first[static_cast<size_t>(i * dim + j)] - mean;
      square += d * d;
    }
    total += square / static_cast<double>(n);
  }
  return total / static_cast<double>(dim);
}

double tower_recall_at(const EvalResult& result, int64_t k) {
  const int64_t dim = result.dim;
  if (dim == 0) return 0.0;
  const int64_t n = static_cast<int64_t>(result.first.size()) / dim;
  const std::vector<int64_t> ahead = candidates_ahead(n, [&](int64_t i, std::span<double> row) {
    for (int64_t j = 0; j < n; ++j)
      row[static_cast<size_t>(j)] =
          tower_distance(result.distance, &result.first[static_cast<size_t>(i * dim)],
                         &result.second[static_cast<size_t>(j * dim)], dim);
  });
  return recall_at_k(ahead, std::min(k, n));
}

template void collect(const ModelRoles&, const Executor<float>&, const Batch<float>&, bool,
                      EvalResult&);
template void collect(const ModelRoles&, const Executor<double>&, const Batch<double>&, bool,
                      EvalResult&);
template EvalResult evaluate(const ModelRoles&, Executor<float>&, const Dataset&, int64_t, bool,
                             Communicator&);
template EvalResult evaluate(const ModelRoles&, Executor<double>&, const Dataset&, int64_t, bool,
                             Communicator&);

}  // namespace twinflow::runtime
