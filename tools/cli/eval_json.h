// tools/cli/eval_json.h — `twinflow eval --json`: what eval prints, as one JSON document for
// scripts, keys in this order (a metric that does not apply to the model is null):
//
//   {"file", "rows" (scored), "skipped_rows", "skipped" (messages of the first few),
//    "family": "pair" | "triplet", "loss",
//    pair models     "roc_auc", "accuracy" (at the model's decision threshold; null without
//                    one), "threshold", "threshold_source" (tools/cli/run_record.h),
//                    "best_f1": {"threshold", "f1", "precision", "recall", "accuracy"} (the
//                    threshold best on this very file: an upper bound, not a decision rule)
//    triplet models  "distance" ("cosine", "Euclidean", "squared Euclidean": the loss's),
//                    "ordered" (share of triplets with d(a, p) < d(a, n)),
//                    "recall": {"1", "5"} (each anchor's positive among all positives)
//    --baselines     "baselines": {"training_data": bool, "results": [{"name", "metrics":
//                    {NAME: value}, "threshold": value | null}], "verdict": string}}
//
// With --retrieval instead (tools/cli/eval_retrieval.h):
//   {"file", "queries", "skipped_rows", "similarity", "recall": {K: value, ...}, "mrr"}
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>

#include "runtime/data/dataset.h"
#include "runtime/saved/model_roles.h"
#include "runtime/train/baselines.h"
#include "runtime/train/evaluation.h"
#include "tools/cli/run_record.h"

namespace twinflow::cli {

// Everything but "baselines".
nlohmann::ordered_json eval_json(const runtime::ModelRoles& roles, const runtime::Dataset& data,
                                 const runtime::EvalResult& r, const DecisionThreshold& t);

// model: the model's metrics the verdict compares, as for runtime::verdict_line.
nlohmann::ordered_json baselines_json(const runtime::BaselineReport& report,
                                      std::span<const std::pair<std::string, double>> model);

}  // namespace twinflow::cli
