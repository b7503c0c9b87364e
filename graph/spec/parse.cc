// parse_spec: YAML text -> ModelSpec, every error reported in one pass. The top level, inputs,
// graph definitions and outputs are read here; layers, loss and train in the files named in
// graph/spec/parse_parts.h.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "graph/spec/field_reader.h"
#include "graph/spec/fields.h"
#include "graph/spec/parse_parts.h"
#include "graph/spec/spec.h"
#include "graph/yaml/tree.h"

namespace twinflow::graph {

namespace {

constexpr std::string_view kIdentifierRule = "an identifier ([A-Za-z_][A-Za-z0-9_]*)";

void read_inputs(const Field& section, ModelSpec& spec, Diagnostics& diags) {
  MapReader inputs(section, "inputs", "inputs", diags);
  if (inputs.is_map() && inputs.node().entries.empty())
    diags.error(section.loc, "inputs must declare at least one input");
  for (const MapReader::Found& entry : inputs.take_all()) {
    InputSpec input;
    input.name = entry.key.value;
    input.loc = entry.key.loc;
    if (!is_identifier(input.name))
      diags.error(input.loc,
                  fmt::format("input name '{}' must be {}", input.name, kIdentifierRule));
    const Field body = inputs.field(entry, input.name);
    MapReader map(body, fmt::format("input '{}'", input.name), body.path, diags);
    if (!map.is_map()) continue;
    FieldReader reader(map);
    fields(reader, input);
    map.finish();
    spec.inputs.push_back(std::move(input));
  }
}

// "ap, an" -> {"ap", "an"}: a layer with several outputs defines several names at once.
std::vector<std::string> split_names(const YamlNode& key, Diagnostics& diags) {
  std::vector<std::string> names;
  std::string_view rest = key.value;
  while (true) {
    const size_t comma = rest.find(',');
    std::string_view piece = rest.substr(0, comma);
    while (!piece.empty() && (piece.front() == ' ' || piece.front() == '\t'))
      piece.remove_prefix(1);
    while (!piece.empty() && (piece.back() == ' ' || piece.back() == '\t')) piece.remove_suffix(1);
    if (piece.empty())
      diags.error(key.loc, fmt::format("graph key '{}' has an empty name", key.value));
    else if (!is_identifier(piece))
      diags.error(key.loc, fmt::format("graph name '{}' must be {}", piece, kIdentifierRule));
    else
      names.emplace_back(piece);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return names;
}

void read_graph(const Field& section, ModelSpec& spec, Diagnostics& diags) {
  MapReader graph(section, "graph", "graph", diags);
  for (const MapReader::Found& entry : graph.take_all()) {
    DefSpec def;
    def.names = split_names(entry.key, diags);
    def.loc = entry.key.loc;
    const Field value = graph.field(entry, entry.key.value);
    if (value.node.reported) continue;
    if (!value.node.is_scalar() || value.node.value.empty()) {
      diags.error(value.loc, fmt::format("{} must be an expression such as 'bilstm(emb(left))', "
                                         "found {}",
                                         value.path, describe(value.node)));
      continue;
    }
    def.text = value.node.value;
    def.text_loc = value.node.text_loc;
    spec.defs.push_back(std::move(def));
  }
}

void read_outputs(const Field& section, ModelSpec& spec, Diagnostics& diags) {
  if (section.node.reported) return;
  if (!section.node.is_list() || section.node.items.empty()) {
    diags.error(section.loc,
                fmt::format("outputs must be a list of one or more graph values, found {}",
                            section.node.is_list() ? "[]" : describe(section.node)));
    return;
  }
  for (size_t i = 0; i < section.node.items.size(); ++i) {
    const YamlNode& item = *section.node.items[i];
    const Field f{fmt::format("outputs[{}]", i), item, item.loc};
    if (std::optional<std::string> name = read_identifier(f, diags))
      spec.outputs.push_back({std::move(*name), item.loc});
  }
}

void read_distance(const Field& f, ModelSpec& spec, Diagnostics& diags) {
  std::vector<std::string> names;
  for (TripletDistance d : kTripletDistances) names.emplace_back(to_string(d));
  const std::optional<std::string> name = read_choice(f, names, diags);
  if (!name) return;
  for (TripletDistance d : kTripletDistances)
    if (to_string(d) == *name) spec.distance = d;
  spec.distance_loc = f.loc;
}

void read_spec(const YamlNode& root, ModelSpec& spec, Diagnostics& diags) {
  MapReader top(Field{"", root, root.loc}, "the spec", "the spec", diags);
  if (!top.is_map()) return;
  if (const auto found = top.need("model")) {
    if (std::optional<std::string> name = read_text(top.field(*found, "model"), diags))
      spec.name = std::move(*name);
  }
  if (const auto found = top.need("inputs")) read_inputs(top.field(*found, "inputs"), spec, diags);
  if (const auto found = top.need("layers")) read_layers(top.field(*found, "layers"), spec, diags);
  if (const auto found = top.need("graph")) read_graph(top.field(*found, "graph"), spec, diags);
  if (const auto found = top.need("outputs"))
    read_outputs(top.field(*found, "outputs"), spec, diags);
  if (const auto found = top.take("loss"))
    read_loss(top.field(*found, "loss"), found->key.loc, spec, diags);
  if (const auto found = top.take("distance"))
    read_distance(top.field(*found, "distance"), spec, diags);
  if (const auto found = top.take("train")) read_train(top.field(*found, "train"), spec, diags);
  top.finish();
  if (spec.distance && spec.loss)
    diags.error(spec.distance_loc,
                "distance is for a model without a loss (a tower of its own); a model with a "
                "loss compares its vectors with the loss's distance");
}

}  // namespace

std::optional<ModelSpec> parse_spec(std::string_view text, const std::string& file,
                                    Diagnostics& diags) {
  const int errors_before = diags.error_count();
  try {
    ModelSpec spec;
    spec.file = file;
    if (const std::shared_ptr<const YamlNode> root = load_yaml(text, file, diags))
      read_spec(*root, spec, diags);
    if (diags.error_count() > errors_before) return std::nullopt;
    return spec;
  } catch (const std::exception& e) {
    // Only resource exhaustion gets here; bad input is reported above.
    diags.error({file, 0, 0}, fmt::format("could not read the spec: {}", e.what()));
  } catch (...) {
    diags.error({file, 0, 0}, "could not read the spec");
  }
  return std::nullopt;
}

std::optional<ModelSpec> parse_spec_file(const std::string& path, Diagnostics& diags) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diags.error({path, 0, 0}, fmt::format("cannot read spec file '{}': it is a directory", path));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error({path, 0, 0},
                fmt::format("cannot read spec file '{}': {}", path, std::strerror(errno)));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    diags.error({path, 0, 0}, fmt::format("cannot read spec file '{}'", path));
    return std::nullopt;
  }
  return parse_spec(text.str(), path, diags);
}

}  // namespace twinflow::graph
