// graph/spec/field_reader.h — the visitor that reads the key lists of graph/spec/fields.h from
// one YAML map into a struct.
//
// Each method reads one key: absent optional keys keep the struct's default, absent required
// ones are reported ("layer 'head' (Dense) needs 'units'"), and a value of the wrong type or
// out of range is reported at its place and leaves the default in place. The map itself (its
// duplicate and unknown keys) is the MapReader's business.
#pragma once

#include <fmt/format.h>

#include <array>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "graph/spec/fields.h"
#include "graph/yaml/reader.h"

namespace twinflow::graph {

class FieldReader {
 public:
  // owner_op: the op of the layer whose map this is, if any; a key of that layer written
  // inside a nested map (`layer:` of a Bidirectional) is then reported as misplaced.
  explicit FieldReader(MapReader& map, std::string_view owner_op = {})
      : map_(map), owner_op_(owner_op) {}

  void integer(std::string_view key, int64_t& x, Need need, int64_t min);
  void axis(std::string_view key, int& x);
  void real(std::string_view key, double& x, const Range& range);
  void flag(std::string_view key, bool& x);
  void text(std::string_view key, std::string& x, Need need);
  void choice(std::string_view key, std::string& x, std::span<const std::string_view> options);
  template <class E, size_t N>
  void choice(std::string_view key, E& x, const std::array<E, N>& options);
  // A list of identifiers; locs (if given) gets where each is written.
  void names(std::string_view key, std::vector<std::string>& names, std::vector<SourceLoc>* locs,
             const NamesRule& rule);
  // One expression, or a list of them (a Lambda with several outputs).
  void expressions(std::string_view key, std::vector<std::string>& exprs,
                   std::vector<SourceLoc>& locs);
  void expression(std::string_view key, std::string& expr, SourceLoc& loc);
  // A graph value a loss reads in the given role ("pred", "target"), appended to roles.
  void role(std::string_view key, std::vector<std::pair<std::string, NameRef>>& roles);
  void initializer(std::string_view key, std::string_view kind,
                   std::vector<std::pair<std::string, Initializer>>& inits);
  // A required map of another op's attributes: it must say `op: <op>`.
  template <class T>
  void nested(std::string_view key, T& sub, std::string_view op);
  template <class T>
  void optional_nested(std::string_view key, std::optional<T>& sub);
  Branch either(bool second_now, std::initializer_list<std::string_view> first,
                std::initializer_list<std::string_view> second);
  // lo must be below hi when both were read.
  template <class N>
  void ordered(std::string_view lo_key, N lo, std::string_view hi_key, N hi);
  void shape(std::string_view key, Shape& shape);
  void dtype(std::string_view key, DType& dtype);
  void choices(std::string_view key, std::vector<std::string>& items,
               std::span<const std::string_view> options);
  void optimizer(std::string_view key, OptimizerSpec& optimizer);

 private:
  Diagnostics& diags() const { return map_.diags(); }
  // The key's value as a Field, or nothing when absent (reported when required).
  std::optional<Field> find(std::string_view key, Need need);
  void finish_nested(MapReader& nested_map, std::string_view nested_key) const;

  MapReader& map_;
  std::string_view owner_op_;
  std::set<std::string, std::less<>> read_;  // keys whose values were read without error
};

template <class E, size_t N>
void FieldReader::choice(std::string_view key, E& x, const std::array<E, N>& options) {
  std::vector<std::string> names;
  for (E option : options) names.emplace_back(to_string(option));
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f) return;
  const std::optional<std::string> name = read_choice(*f, names, diags());
  if (!name) return;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == *name) x = options[i];
  read_.emplace(key);
}

template <class T>
void FieldReader::nested(std::string_view key, T& sub, std::string_view op) {
  std::optional<Field> f = find(key, Need::kRequired);
  if (!f) return;
  const std::string label = fmt::format("{} ({})", f->path, op);
  MapReader nested_map(*f, label, label, diags());
  if (!nested_map.is_map()) return;
  if (const std::optional<MapReader::Found> found = nested_map.need("op")) {
    const Field op_field = nested_map.field(*found, "op");
    const std::optional<std::string> name = read_text(op_field, diags());
    if (name && *name != op)
      diags().error(op_field.loc, fmt::format("{} must be {}, found {}", op_field.path, op,
                                              describe(op_field.node)));
  }
  FieldReader reader(nested_map);
  fields(reader, sub);
  finish_nested(nested_map, key);
}

template <class T>
void FieldReader::optional_nested(std::string_view key, std::optional<T>& sub) {
  std::optional<Field> f = find(key, Need::kOptional);
  if (!f) return;
  MapReader nested_map(*f, f->path, f->path, diags());
  if (!nested_map.is_map()) return;
  T value;
  if constexpr (requires { value.loc; }) value.loc = f->loc;
  FieldReader reader(nested_map);
  fields(reader, value);
  nested_map.finish();
  sub = std::move(value);
}

template <class N>
void FieldReader::ordered(std::string_view lo_key, N lo, std::string_view hi_key, N hi) {
  if (!read_.contains(lo_key) || !read_.contains(hi_key) || lo < hi) return;
  const std::optional<MapReader::Found> found = map_.take(lo_key);
  if (!found) return;
  const Field f = map_.field(*found, lo_key);
  diags().error(f.loc,
                fmt::format("{} must be less than {} ({}), found {}", f.path, hi_key, hi, lo));
}

}  // namespace twinflow::graph
