// runtime/saved/model_roles.h — what a built model's values mean to train, eval, embed and similar.
//
// The rules, decided from the graph alone so that any spec of the two families works:
//   text inputs   the int32 inputs, in the spec's order
//   pair model    the loss reads a `target` (binary_crossentropy or contrastive). Its score
//                 (higher = more alike) is `pred` for binary_crossentropy and −`distance` for
//                 contrastive; a pair is predicted alike when pred ≥ 0.5 (no accuracy for
//                 contrastive, whose distance has no fixed threshold)
//   triplet model no target and exactly three text inputs (anchor, positive, negative in the
//                 spec's order); distances between tower outputs are the loss's own
//                 (`distance:` of the mining losses, cosine for multiple_negatives_ranking,
//                 squared Euclidean for triplet_margin and for an expression)
//   tower model   no loss and exactly one text input: a tower of its own, as `twinflow export`
//                 writes it; its vectors are its one output (which must be [B, D]) and are
//                 compared by the spec's `distance:` (cosine when absent)
//   tower output  for a text input, the last value (in graph order) that depends on that
//                 input and on no other input and has one axis besides the batch: the output
//                 of the last shared layer applied to it (x1 in the cosine Siamese network,
//                 anchor_vec in the triplet networks)
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/model/model.h"

namespace twinflow::runtime {

enum class ModelFamily { kPair, kTriplet, kTower };

struct ModelRoles {
  ModelFamily family = ModelFamily::kPair;
  std::vector<std::string> text_inputs;
  std::vector<graph::ValueId> towers;  // one per text input
  std::optional<std::string> target;   // the label input (pair models)
  graph::ValueId score = -1;           // pair models: the value that scores a pair
  bool score_is_distance = false;      // contrastive: score = −value
  bool has_threshold = false;          // accuracy at 0.5 makes sense
  graph::ValueId loss = -1;
  // Triplet and tower models: how metrics, eval and similar compare tower outputs (the loss's
  // distance, or a tower model's `distance:`).
  graph::TripletDistance distance = graph::TripletDistance::kSquaredEuclidean;
};

// "squared Euclidean", "Euclidean", "cosine": how output names the distance.
std::string_view distance_name(graph::TripletDistance distance);

// The distance between two tower outputs of `dim` numbers, as the loss measures it.
double tower_distance(graph::TripletDistance distance, const double* u, const double* v,
                      int64_t dim);

// For every value of the model's graph, the graph inputs it is computed from; the subword
// pieces of a text input count as that input.
std::vector<std::set<graph::ValueId>> input_dependencies(const graph::Model& model);

// Throws graph::RuntimeInputError when the model is of no family, or when a text input has no
// tower output.
ModelRoles model_roles(const graph::Model& model);

}  // namespace twinflow::runtime
