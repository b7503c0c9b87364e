// Reading `loss:` (its op first, which decides its keys) and `train:`.
#include <fmt/format.h>

#include "graph/spec/field_reader.h"
#include "graph/spec/fields.h"
#include "graph/spec/parse_parts.h"

namespace twinflow::graph {

void read_loss(const Field& section, const SourceLoc& key_loc, ModelSpec& spec,
               Diagnostics& diags) {
  MapReader map(section, "loss", "loss", diags);
  if (!map.is_map()) return;
  const std::optional<MapReader::Found> op = map.need("op");
  if (!op) return;
  const std::vector<std::string> ops(kLossOps.begin(), kLossOps.end());
  const Field op_field = map.field(*op, "op");
  const std::optional<std::string> op_name = read_choice(op_field, ops, diags);
  // Which keys are valid depends on the op, so the rest of the loss is not checked.
  if (!op_name) return;
  LossSpec loss;
  loss.op = *op_name;
  loss.loc = key_loc;
  const std::string label = fmt::format("loss ({})", loss.op);
  map.rename(label, label);
  FieldReader reader(map);
  loss_fields(reader, loss);
  map.finish();
  spec.loss = std::move(loss);
}

void read_train(const Field& section, ModelSpec& spec, Diagnostics& diags) {
  MapReader map(section, "train", "train", diags);
  if (!map.is_map()) return;
  FieldReader reader(map);
  fields(reader, spec.train);
  map.finish();
}

}  // namespace twinflow::graph
