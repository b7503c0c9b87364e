// runtime/train/evaluation.h — runs a model over a data set without training and scores it.
//
// One pass collects, batch by batch, what every metric needs: the loss (a mean over rows,
// weighted by batch size so the last partial batch counts as much per row as the others),
// and per row the pair score and label (pair models) or the anchor–positive and
// anchor–negative distances between tower outputs, measured as the loss measures them
// (triplet models; runtime/saved/model_roles.h). The trainer feeds its training batches through the
// same collector for its running metric.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/data/batches.h"
#include "runtime/data/dataset.h"
#include "runtime/dist/communicator.h"
#include "runtime/exec/executor.h"
#include "runtime/saved/model_roles.h"

namespace twinflow::runtime {

struct EvalResult {
  int64_t rows = 0;
  double loss_sum = 0.0;               // Σ batch mean loss × batch rows
  int64_t hits = 0;                    // pairs right at 0.5, or triplets ordered right
  std::vector<double> scores, labels;  // pair models
  std::vector<double> positive_distance, negative_distance;                     // triplet models
  graph::TripletDistance distance = graph::TripletDistance::kSquaredEuclidean;  // of those
  // Tower outputs of the first two text inputs (triplet: anchor, positive), row-major
  // [rows, dim]; kept only when asked for (recall@k, collapse check).
  std::vector<double> first, second;
  int64_t dim = 0;

  double loss() const { return rows > 0 ? loss_sum / static_cast<double>(rows) : 0.0; }
  double hit_rate() const { return rows > 0 ? static_cast<double>(hits) / rows : 0.0; }
};

// Appends the batch just run forward to result.
template <typename T>
void collect(const ModelRoles& roles, const Executor<T>& executor, const Batch<T>& batch,
             bool keep_towers, EvalResult& result);

// Forward passes in inference mode over every row of data, in file order. Spread over the
// processes of `processes`: each evaluates its share of the rows (runtime/dist), and every
// process gets the merged result.
template <typename T>
EvalResult evaluate(const ModelRoles& roles, Executor<T>& executor, const Dataset& data,
                    int64_t batch_size, bool keep_towers, Communicator& processes = alone());

// Every process's result merged, on every process: counts and sums added, per-row values
// concatenated in rank order (the file's order when each process held a contiguous share).
void merge_across(Communicator& processes, EvalResult& result);

// The metrics a log line shows, in the order asked for (a spec's `train: metrics:`):
//   pair models     accuracy, and f1, precision, recall at 0.5 (models with a threshold);
//                   auc
//   triplet models  triplet_accuracy; recall_at_1, recall_at_5 (when the result kept the
//                   tower outputs, as a validation pass does)
// A metric that does not apply to the model, or to this result, is left out. With none asked
// for: accuracy and auc, or triplet_accuracy.
std::vector<std::pair<std::string, double>> summary_metrics(
    const ModelRoles& roles, const EvalResult& result, std::span<const std::string> wanted = {});
// The metrics asked for, or the defaults above when none are.
std::span<const std::string> metrics_shown(const ModelRoles& roles,
                                           std::span<const std::string> wanted);
// Whether summary_metrics reports `name` for this model; tower_outputs: the result keeps the
// tower outputs (a triplet model's validation pass, or its training pass without one).
bool metric_applies(const ModelRoles& roles, std::string_view name, bool tower_outputs);

// Mean over dimensions of the variance of the first tower's outputs across rows: near 0 when
// a triplet model's embeddings have collapsed to one point.
double tower_variance(const EvalResult& result);

// recall@k of ranking each row's second tower output among all rows' by its distance (the
// result's: the loss's) from its first (anchor → positive).
double tower_recall_at(const EvalResult& result, int64_t k);

extern template void collect(const ModelRoles&, const Executor<float>&, const Batch<float>&, bool,
                             EvalResult&);
extern template void collect(const ModelRoles&, const Executor<double>&, const Batch<double>&, bool,
                             EvalResult&);
extern template EvalResult evaluate(const ModelRoles&, Executor<float>&, const Dataset&, int64_t,
                                    bool, Communicator&);
extern template EvalResult evaluate(const ModelRoles&, Executor<double>&, const Dataset&, int64_t,
                                    bool, Communicator&);

}  // namespace twinflow::runtime
