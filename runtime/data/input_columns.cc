#include "runtime/data/input_columns.h"

#include <fmt/format.h>

#include <algorithm>

#include "graph/ir/errors.h"

namespace twinflow::runtime {

namespace {

bool is_loss_target(const graph::ModelSpec& spec, const std::string& input) {
  if (!spec.loss) return false;
  return std::any_of(spec.loss->inputs.begin(), spec.loss->inputs.end(), [&](const auto& role) {
    return role.first == "target" && role.second.name == input;
  });
}

}  // namespace

std::vector<ColumnSpec> input_columns(const graph::ModelSpec& spec) {
  std::vector<ColumnSpec> columns;
  for (const graph::InputSpec& input : spec.inputs) {
    if (input.dtype == graph::DType::kInt32 && input.shape.rank() == 1 && input.shape[0] > 0) {
      columns.push_back(ColumnSpec::text(input.name, input.shape[0]));
    } else if (input.dtype == graph::DType::kReal && input.shape == graph::Shape{1}) {
      columns.push_back(is_loss_target(spec, input.name) ? ColumnSpec::label01(input.name)
                                                         : ColumnSpec::real(input.name));
    } else {
      throw graph::RuntimeInputError(fmt::format(
          "{}input '{}' ({} {}) cannot be read from a data file: a column feeds an int32 "
          "input [T] (a text) or a float32 input [1] (a number)",
          input.loc.known() ? input.loc.to_string() + ": " : "", input.name,
          graph::to_string(input.dtype), input.shape.to_string()));
    }
  }
  return columns;
}

}  // namespace twinflow::runtime
