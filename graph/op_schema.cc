#include "graph/op_schema.h"

#include <fmt/format.h>

#include "graph/errors.h"

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

OpRegistry& op_registry() {
  static OpRegistry registry;
  return registry;
}

}  // namespace twinflow::graph
