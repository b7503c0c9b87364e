// graph/model/summary.h — a built model as text, in the manner of Keras's model.summary().
//
// model_summary lists the inputs; every call written in `graph:` in build order (a Lambda or
// a Sequential is one row: its inner nodes are not listed) with its layer, output shape,
// parameter count and inputs — a shared layer's count appears at its first use, marked
// "shared ×N", and later uses say "(shared)"; then each layer once with its parameter count
// and number of uses; the outputs and the loss; and the totals:
//
//   Total params: 2,060,403
//   Trainable params: 2,060,403
//   Frozen params: 0
//
// sharing_report says, for each layer owning parameters, which nodes use it:
//   emb (Embedding, 2,000,000 params) shared ×2: x1.emb, x2.emb
//
// stacking_summary, when a layer is applied more than once, which of its applications run as
// one call on their stacked batches (graph/ir/stacking.h), which do not and why, and whether
// the spec turns it on (`train: stack_shared:`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/model/model.h"

namespace twinflow::graph {

std::string model_summary(const Model& model);
std::string sharing_report(const Model& model);
std::string stacking_summary(const Model& model);  // "" when no layer is shared

// The numbers behind the summary's tables, for other formats (`check --json`).
struct LayerRow {
  std::string name;
  std::string op;
  int64_t params = 0;  // a Sequential's: its distinct layers'
  int uses = 0;        // calls, counting those made by a Sequential holding it
};
std::vector<LayerRow> layer_rows(const Model& model);  // in the spec's order

struct ParamTotals {
  int64_t trainable = 0;
  int64_t frozen = 0;
};
ParamTotals param_totals(const Model& model);

// 2000000 -> "2,000,000"
std::string with_thousands(int64_t n);

}  // namespace twinflow::graph
