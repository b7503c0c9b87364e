#include "graph/spec/field_reader.h"

#include <algorithm>
#include <limits>

#include "graph/spec/layer_keys.h"

namespace twinflow::graph {

namespace {

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

std::vector<std::string> to_strings(std::span<const std::string_view> items) {
  return {items.begin(), items.end()};
}

std::string quoted_keys(std::initializer_list<std::string_view> keys) {
  std::string out;
  for (std::string_view key : keys) out += fmt::format("{}'{}'", out.empty() ? "" : " and ", key);
  return out;
}

// An item of a list: "layers.tower.layers[2]".
Field item_field(const Field& list, size_t i) {
  const YamlNode& item = *list.node.items[i];
  return {fmt::format("{}[{}]", list.path, i), item, item.loc};
}

std::optional<Initializer> read_initializer(const Field& f, Diagnostics& d) {
  std::vector<std::string> names;
  for (Init kind : kInitializers) names.emplace_back(to_string(kind));
  auto from_name = [&names](const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    return default_initializer(kInitializers[static_cast<size_t>(it - names.begin())]);
  };
  if (f.node.is_scalar() || f.node.is_null()) {
    const std::optional<std::string> name = read_choice(f, names, d);
    if (!name) return std::nullopt;
    return from_name(*name);
  }
  MapReader map(f, f.path, f.path, d);
  if (!map.is_map()) return std::nullopt;
  const std::optional<MapReader::Found> found = map.need("name");
  if (!found) return std::nullopt;
  const std::optional<std::string> name = read_choice(map.field(*found, "name"), names, d);
  if (!name) return std::nullopt;
  Initializer init = from_name(*name);
  map.rename(map.subject(), fmt::format("{} ({})", f.path, *name));
  const int errors = d.error_count();
  FieldReader reader(map);
  fields(reader, init);
  map.finish();
  if (d.error_count() != errors) return std::nullopt;
  return init;
}

}  // namespace

std::optional<Field> FieldReader::find(std::string_view key, Need need) {
  const std::optional<MapReader::Found> found =
      need == Need::kRequired ? map_.need(key) : map_.take(key);
  if (!found) return std::nullopt;
  return map_.field(*found, key);
}

void FieldReader::integer(std::string_view key, int64_t& x, Need need, int64_t min) {
  std::optional<Field> f = find(key, need);
  if (!f) return;
  if (const std::optional<int64_t> value = read_integer(*f, min, kMaxInt64, diags())) {
    x = *value;
    read_.emplace(key);
  }
}

void FieldReader::axis(std::string_view key, int& x) {
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f) return;
  if (const std::optional<int64_t> value = read_integer(*f, std::numeric_limits<int>::min(),
                                                        std::numeric_limits<int>::max(), diags()))
    x = static_cast<int>(*value);
}

void FieldReader::real(std::string_view key, double& x, const Range& range) {
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f) return;
  if (const std::optional<double> value = read_real(*f, range, diags())) {
    x = *value;
    read_.emplace(key);
  }
}

void FieldReader::flag(std::string_view key, bool& x) {
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f) return;
  if (const std::optional<bool> value = read_flag(*f, diags())) x = *value;
}

void FieldReader::text(std::string_view key, std::string& x, Need need) {
  std::optional<Field> f = find(key, need);
  if (!f) return;
  if (std::optional<std::string> value = read_text(*f, diags())) x = std::move(*value);
}

void FieldReader::choice(std::string_view key, std::string& x,
                         std::span<const std::string_view> options) {
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f) return;
  if (std::optional<std::string> value = read_choice(*f, to_strings(options), diags()))
    x = std::move(*value);
}

void FieldReader::names(std::string_view key, std::vector<std::string>& names,
                        std::vector<SourceLoc>* locs, const NamesRule& rule) {
  std::optional<Field> f = find(key, rule.need);
  if (!f || f->node.reported) return;
  if (!f->node.is_list()) {
    diags().error(f->loc,
                  fmt::format("{} must be a list of names, found {}", f->path, describe(f->node)));
    return;
  }
  names.clear();
  if (locs != nullptr) locs->clear();
  for (size_t i = 0; i < f->node.items.size(); ++i) {
    const Field item = item_field(*f, i);
    if (item.node.is_map() && !rule.map_item_hint.empty()) {
      diags().error(item.loc, fmt::format("{} must be a name, found a map ({})", item.path,
                                          rule.map_item_hint));
      continue;
    }
    std::optional<std::string> name = read_identifier(item, diags());
    if (!name) continue;
    if (rule.unique && std::find(names.begin(), names.end(), *name) != names.end()) {
      diags().error(item.loc, fmt::format("{} lists '{}' twice", f->path, *name));
      continue;
    }
    names.push_back(std::move(*name));
    if (locs != nullptr) locs->push_back(item.loc);
  }
  if (f->node.items.size() < rule.min_count)
    diags().error(f->loc, fmt::format("{} must list at least {} name{}", f->path, rule.min_count,
                                      rule.min_count == 1 ? "" : "s"));
}

void FieldReader::expressions(std::string_view key, std::vector<std::string>& exprs,
                              std::vector<SourceLoc>& locs) {
  std::optional<Field> f = find(key, Need::kRequired);
  if (!f || f->node.reported) return;
  exprs.clear();
  locs.clear();
  if (!f->node.is_list()) {
    if (std::optional<std::string> text = read_text(*f, diags())) {
      exprs.push_back(std::move(*text));
      locs.push_back(f->node.text_loc);
    }
    return;
  }
  if (f->node.items.empty())
    diags().error(f->loc, fmt::format("{} must list at least one expression", f->path));
  for (size_t i = 0; i < f->node.items.size(); ++i) {
    const Field item = item_field(*f, i);
    if (std::optional<std::string> text = read_text(item, diags())) {
      exprs.push_back(std::move(*text));
      locs.push_back(item.node.text_loc);
    }
  }
}

void FieldReader::expression(std::string_view key, std::string& expr, SourceLoc& loc) {
  std::optional<Field> f = find(key, Need::kRequired);
  if (!f) return;
  if (std::optional<std::string> text = read_text(*f, diags())) {
    expr = std::move(*text);
    loc = f->node.text_loc;
  }
}

void FieldReader::role(std::string_view key, std::vector<std::pair<std::string, NameRef>>& roles) {
  std::optional<Field> f = find(key, Need::kRequired);
  if (!f) return;
  if (std::optional<std::string> name = read_identifier(*f, diags()))
    roles.emplace_back(std::string(key), NameRef{std::move(*name), f->loc});
}

void FieldReader::initializer(std::string_view key, std::string_view kind,
                              std::vector<std::pair<std::string, Initializer>>& inits) {
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f) return;
  if (std::optional<Initializer> init = read_initializer(*f, diags()))
    inits.emplace_back(std::string(kind), *init);
}

Branch FieldReader::either(bool, std::initializer_list<std::string_view> first,
                           std::initializer_list<std::string_view> second) {
  auto any_of = [this](std::initializer_list<std::string_view> keys) {
    return std::any_of(keys.begin(), keys.end(),
                       [this](std::string_view k) { return map_.has(k); });
  };
  const bool has_first = any_of(first);
  const bool has_second = any_of(second);
  for (std::string_view key : first) map_.know(key);
  for (std::string_view key : second) map_.know(key);
  if (has_first && has_second) {
    diags().error(map_.node().loc, fmt::format("{} takes either {} or {}, not both", map_.subject(),
                                               quoted_keys(first), quoted_keys(second)));
    for (std::string_view key : first) map_.take(key);
    for (std::string_view key : second) map_.take(key);
    return Branch::kNeither;
  }
  if (has_first) return Branch::kFirst;
  if (has_second) return Branch::kSecond;
  diags().error(map_.node().loc, fmt::format("{} needs {}, or {}", map_.subject(),
                                             quoted_keys(first), quoted_keys(second)));
  return Branch::kNeither;
}

void FieldReader::shape(std::string_view key, Shape& shape) {
  std::optional<Field> f = find(key, Need::kRequired);
  if (!f || f->node.reported) return;
  if (!f->node.is_list() || f->node.items.empty()) {
    diags().error(f->loc, fmt::format("{} must be a list of one or more dimensions such as [30] "
                                      "(the batch axis is implicit), found {}",
                                      f->path, f->node.is_list() ? "[]" : describe(f->node)));
    return;
  }
  if (f->node.items.size() >= static_cast<size_t>(Shape::kMaxRank)) {
    diags().error(f->loc, fmt::format("{} has {} dimensions; an input has at most {} (the batch "
                                      "axis makes one more)",
                                      f->path, f->node.items.size(), Shape::kMaxRank - 1));
    return;
  }
  std::vector<int64_t> dims;
  for (size_t i = 0; i < f->node.items.size(); ++i)
    if (const std::optional<int64_t> d = read_integer(item_field(*f, i), 1, kMaxInt64, diags()))
      dims.push_back(*d);
  if (dims.size() == f->node.items.size()) shape = Shape(std::move(dims));
}

void FieldReader::dtype(std::string_view key, DType& dtype) {
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f) return;
  // float64 is accepted as real: a run's precision is chosen when it runs, not in the spec.
  static const std::vector<std::string> kNames = {"float32", "int32", "float64"};
  if (const std::optional<std::string> name = read_choice(*f, kNames, diags()))
    dtype = *name == "int32" ? DType::kInt32 : DType::kReal;
}

void FieldReader::choices(std::string_view key, std::vector<std::string>& items,
                          std::span<const std::string_view> options) {
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f || f->node.reported) return;
  if (!f->node.is_list()) {
    diags().error(f->loc, fmt::format("{} must be a list, found {}", f->path, describe(f->node)));
    return;
  }
  items.clear();
  const std::vector<std::string> names = to_strings(options);
  for (size_t i = 0; i < f->node.items.size(); ++i)
    if (std::optional<std::string> item = read_choice(item_field(*f, i), names, diags()))
      items.push_back(std::move(*item));
}

void FieldReader::optimizer(std::string_view key, OptimizerSpec& optimizer) {
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f) return;
  const std::vector<std::string> names = to_strings(kOptimizers);
  if (f->node.is_scalar() || f->node.is_null()) {
    if (const std::optional<std::string> name = read_choice(*f, names, diags()))
      optimizer = default_optimizer(*name);
    return;
  }
  MapReader map(*f, f->path, f->path, diags());
  if (!map.is_map()) return;
  const std::optional<MapReader::Found> found = map.need("name");
  if (!found) return;
  const std::optional<std::string> name = read_choice(map.field(*found, "name"), names, diags());
  if (!name) return;
  optimizer = default_optimizer(*name);
  FieldReader reader(map);
  fields(reader, optimizer);
  map.finish([&name](std::string_view option, const std::string& hint) {
    return fmt::format("'{}' is not an option of optimizer {}{}", option, *name, hint);
  });
}

void FieldReader::finish_nested(MapReader& nested_map, std::string_view nested_key) const {
  const std::vector<std::string> owner_keys = layer_attribute_keys(owner_op_);
  const std::string owner_path = map_.path();
  nested_map.finish([&](std::string_view key, const std::string& hint) {
    if (std::find(owner_keys.begin(), owner_keys.end(), key) != owner_keys.end())
      return fmt::format("'{}' goes beside '{}:' in {}, not inside it", key, nested_key,
                         owner_path);
    return fmt::format("unknown key '{}' in {}{}", key, nested_map.subject(), hint);
  });
}

}  // namespace twinflow::graph
