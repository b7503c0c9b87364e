#include "graph/ir/op_schema.h"

#include <fmt/format.h>

#include "graph/ir/errors.h"

namespace twinflow::graph {

void OpRegistry::add(const OpSchema& schema) {
  auto [it, inserted] = by_name_.emplace(std::string(schema.name), &schema);
  if (!inserted && it->second != &schema)
    throw GraphError(fmt::format("op '{}' is registered twice", schema.name));
}

const OpSchema* OpRegistry::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, schema] : by_name_) out.push_back(name);
  return out;
}

std::string_view to_string(Init init) {
  switch (init) {
    case Init::kZeros:
      return "zeros";
    case Init::kOnes:
      return "ones";
    case Init::kConstant:
      return "constant";
    case Init::kUniform:
      return "random_uniform";
    case Init::kNormal:
      return "random_normal";
    case Init::kGlorotUniform:
      return "glorot_uniform";
    case Init::kOrthogonal:
      return "orthogonal";
    case Init::kLstmBias:
      return "unit_forget_bias";
  }
  return "?";
}

OpRegistry& op_registry() {
  static OpRegistry registry;
  return registry;
}

}  // namespace twinflow::graph
