#include "tools/cli/eval_json.h"

#include "runtime/train/metrics.h"
#include "tools/cli/json.h"

namespace twinflow::cli {

namespace {

json metrics_json(std::span<const std::pair<std::string, double>> metrics) {
  json j = json::object();
  for (const auto& [name, value] : metrics) j[name] = value;
  return j;
}

}  // namespace

json eval_json(const runtime::ModelRoles& roles, const runtime::Dataset& data,
               const runtime::EvalResult& r, const DecisionThreshold& t) {
  const bool triplet = roles.family == runtime::ModelFamily::kTriplet;
  json j = {{"file", data.file},
            {"rows", r.rows},
            {"skipped_rows", data.skipped_rows},
            {"skipped", data.skipped_messages},
            {"family", triplet ? "triplet" : "pair"},
            {"loss", r.loss()}};
  if (triplet) {
    j["distance"] = runtime::distance_name(r.distance);
    j["ordered"] = r.hit_rate();
    j["recall"] = {{"1", runtime::tower_recall_at(r, 1)}, {"5", runtime::tower_recall_at(r, 5)}};
    return j;
  }
  j["roc_auc"] = runtime::roc_auc(r.scores, r.labels);
  j["accuracy"] =
      t.value ? json(runtime::accuracy_at(r.scores, r.labels, *t.value)) : json(nullptr);
  j["threshold"] = t.value ? json(*t.value) : json(nullptr);
  j["threshold_source"] = t.source;
  const runtime::ThresholdChoice best = runtime::best_f1_threshold(r.scores, r.labels);
  j["best_f1"] = {{"threshold", best.threshold},
                  {"f1", best.f1},
                  {"precision", best.precision},
                  {"recall", best.recall},
                  {"accuracy", best.accuracy}};
  return j;
}

json baselines_json(const runtime::BaselineReport& report,
                    std::span<const std::pair<std::string, double>> model) {
  json results = json::array();
  for (const runtime::BaselineResult& b : report.results)
    results.push_back({{"name", runtime::similarity_short_name(b.similarity)},
                       {"metrics", metrics_json(b.metrics)},
                       {"threshold", b.threshold ? json(*b.threshold) : json(nullptr)}});
  return {{"training_data", report.has_training_data},
          {"results", results},
          {"verdict", runtime::verdict_line(model, report)}};
}

}  // namespace twinflow::cli
