#include "runtime/saved/model_roles.h"

#include <fmt/format.h>

#include <set>

#include "graph/ir/errors.h"
#include "ops/mining_losses.h"
#include "ops/triplet_distances.h"

namespace twinflow::runtime {

namespace {

using InputSet = std::set<graph::ValueId>;

graph::ValueId tower_of(const graph::Model& model, const std::vector<InputSet>& deps,
                        const std::string& input) {
  const graph::ValueId in = model.values.at(input);
  graph::ValueId found = -1;
  for (const graph::Node& node : model.graph->nodes()) {
    const graph::ValueId v = node.output;
    const InputSet& d = deps.at(static_cast<size_t>(v));
    if (d.size() == 1 && *d.begin() == in && model.graph->value(v).shape.rank() == 2) found = v;
  }
  if (found < 0)
    throw graph::RuntimeInputError(fmt::format(
        "model '{}': no vector [B, D] is computed from input '{}' alone (the tower output that "
        "embed and similar use)",
        model.spec.name, input));
  return found;
}

const graph::NameRef* role(const graph::LossSpec& loss, std::string_view name) {
  for (const auto& [r, ref] : loss.inputs)
    if (r == name) return &ref;
  return nullptr;
}

// A model without a loss is a tower of its own when it reads one text and outputs one vector.
ModelRoles tower_roles(const graph::Model& model, ModelRoles roles) {
  const bool one_vector =
      model.outputs.size() == 1 && model.graph->value(model.outputs[0]).shape.rank() == 2;
  if (roles.text_inputs.size() != 1 || !one_vector)
    throw graph::RuntimeInputError(fmt::format(
        "model '{}' has no loss: it cannot be trained or evaluated, and it is no tower of its own "
        "either (one int32 text input, one output [B, D])",
        model.spec.name));
  roles.family = ModelFamily::kTower;
  roles.towers = {model.outputs[0]};
  roles.distance = model.spec.distance.value_or(graph::TripletDistance::kCosine);
  return roles;
}

}  // namespace

// Values are created in topological order, so one pass over the nodes suffices.
std::vector<InputSet> input_dependencies(const graph::Model& model) {
  const graph::Graph& g = *model.graph;
  std::vector<InputSet> deps(g.values().size());
  for (size_t v = 0; v < g.values().size(); ++v)
    if (g.values()[v].kind == graph::ValueKind::kInput) deps[v].insert(static_cast<int>(v));
  for (const auto& [text, in] : model.subword_inputs)
    deps.at(static_cast<size_t>(*g.find_value(in.pieces))) = {model.values.at(text)};
  for (const graph::Node& node : g.nodes())
    for (graph::ValueId in : node.inputs) {
      const InputSet& from = deps.at(static_cast<size_t>(in));
      deps.at(static_cast<size_t>(node.output)).insert(from.begin(), from.end());
    }
  return deps;
}

ModelRoles model_roles(const graph::Model& model) {
  ModelRoles roles;
  for (const graph::InputSpec& in : model.spec.inputs)
    if (in.dtype == graph::DType::kInt32) roles.text_inputs.push_back(in.name);
  if (!model.loss || !model.spec.loss) return tower_roles(model, std::move(roles));
  roles.loss = *model.loss;
  const graph::LossSpec& loss = *model.spec.loss;
  const std::vector<InputSet> deps = input_dependencies(model);
  if (const graph::NameRef* target = role(loss, "target")) {
    roles.family = ModelFamily::kPair;
    roles.target = target->name;
    const graph::NameRef* score = role(loss, "pred");
    roles.score_is_distance = score == nullptr;
    if (score == nullptr) score = role(loss, "distance");
    if (score == nullptr) throw graph::RuntimeInputError("a pair loss without pred or distance");
    roles.score = model.values.at(score->name);
    roles.has_threshold = !roles.score_is_distance;
    if (roles.text_inputs.size() != 2)
      throw graph::RuntimeInputError(
          fmt::format("pair model '{}' must have two int32 text inputs, it has {}", model.spec.name,
                      roles.text_inputs.size()));
  } else if (roles.text_inputs.size() == 3) {
    roles.family = ModelFamily::kTriplet;
    const graph::Node& node = model.graph->node(model.graph->value(roles.loss).producer);
    if (const auto stats = ops::triplet_stats_options(node.op->name, node.attrs))
      roles.distance = stats->distance;
  } else {
    throw graph::RuntimeInputError(fmt::format(
        "model '{}' is neither a pair model (a loss with a target) nor a triplet model (three "
        "int32 text inputs: anchor, positive, negative)",
        model.spec.name));
  }
  for (const std::string& in : roles.text_inputs) roles.towers.push_back(tower_of(model, deps, in));
  return roles;
}

std::string_view distance_name(graph::TripletDistance distance) {
  switch (distance) {
    case graph::TripletDistance::kSquaredEuclidean:
      return "squared Euclidean";
    case graph::TripletDistance::kEuclidean:
      return "Euclidean";
    case graph::TripletDistance::kCosine:
      return "cosine";
  }
  return "?";
}

double tower_distance(graph::TripletDistance distance, const double* u, const double* v,
                      int64_t dim) {
  return ops::triplet_distance(distance, u, v, dim);
}

}  // namespace twinflow::runtime
