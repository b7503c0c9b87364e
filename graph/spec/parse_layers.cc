// Reading `layers:`: each layer's op first (it decides which keys are valid), then the keys
// graph/spec/fields.h lists for that op.
#include <fmt/format.h>

#include "graph/ir/suggest.h"
#include "graph/spec/field_reader.h"
#include "graph/spec/fields.h"
#include "graph/spec/parse_parts.h"

namespace twinflow::graph {

namespace {

// Why a key that is valid on some layers is not on this one: initializers exist only for
// the parameters an op owns, a pretrained table only for an Embedding.
std::string misplaced_key_hint(std::string_view key, std::string_view op) {
  if (key == "pretrained") return " (only an Embedding takes 'pretrained')";
  const bool initializer_key = key == "embeddings_initializer" || key == "kernel_initializer" ||
                               key == "bias_initializer" || key == "recurrent_initializer";
  if (!initializer_key) return "";
  if (op == "Sequential") return " (set initializers on the layers it applies)";
  std::string keys;
  for (const InitializerKey& k : initializer_keys(op))
    keys += fmt::format("{}{}", keys.empty() ? "" : ", ", k.key);
  if (keys.empty()) return fmt::format(" ({} has no parameters to initialize)", op);
  return fmt::format(" ({} takes {})", op, keys);
}

// Reads one layer; the layer is appended even when it has errors (the spec is then dropped).
void read_layer(const MapReader::Found& entry, const Field& body, ModelSpec& spec,
                Diagnostics& diags) {
  LayerSpec layer;
  layer.name = entry.key.value;
  layer.loc = entry.key.loc;
  if (!is_identifier(layer.name))
    diags.error(
        layer.loc,
        fmt::format("layer name '{}' must be an identifier ([A-Za-z_][A-Za-z0-9_]*)", layer.name));
  const std::string subject = fmt::format("layer '{}'", layer.name);
  MapReader map(body, subject, body.path, diags);
  if (!map.is_map()) return;
  const std::optional<MapReader::Found> op = map.need("op");
  if (!op) return;
  const Field op_field = map.field(*op, "op");
  const std::optional<std::string> op_name = read_text(op_field, diags);
  if (!op_name) return;
  if (find_layer_kind(*op_name) == nullptr) {
    // Which keys are valid depends on the op, so the rest of this layer is not checked.
    diags.error(op_field.loc, fmt::format("layer '{}': unknown op '{}'{}", layer.name, *op_name,
                                          did_you_mean(*op_name, layer_kind_names())));
    return;
  }
  layer.op = *op_name;
  layer.op_loc = op_field.loc;
  map.rename(fmt::format("{} ({})", subject, layer.op),
             fmt::format("{} ({})", body.path, layer.op));
  FieldReader reader(map, layer.op);
  layer_fields(reader, layer);
  const std::string where = fmt::format("{} ({})", body.path, layer.op);
  map.finish([&](std::string_view key, const std::string& hint) {
    const std::string misplaced = misplaced_key_hint(key, layer.op);
    return fmt::format("unknown key '{}' in {}{}", key, where,
                       misplaced.empty() ? hint : misplaced);
  });
  spec.layers.push_back(std::move(layer));
}

}  // namespace

void read_layers(const Field& section, ModelSpec& spec, Diagnostics& diags) {
  MapReader layers(section, "layers", "layers", diags);
  for (const MapReader::Found& entry : layers.take_all())
    read_layer(entry, layers.field(entry, entry.key.value), spec, diags);
}

}  // namespace twinflow::graph
