// graph/yaml/ (twinflow_graph_yaml): YAML read with the place of every value.
// Owns the located tree (yaml-cpp stops here) and the strict map and value readers.
// May include: graph/ir.
//
// graph/yaml/reader.h — strict reading of a YAML tree (graph/yaml/tree.h): typed values with
// ranges, and maps whose every key must be known.
//
// Every check records an error that names the key path ("layers.head.units"), what was
// expected and what was found, at the place it was written, and reading goes on: the caller
// gets every mistake in a file in one pass. A value the user got wrong reads as std::nullopt
// and the caller keeps its default, so later checks do not trip over it.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/diagnostics.h"
#include "graph/yaml/tree.h"

namespace twinflow::graph {

enum class Need { kOptional, kRequired };

// An interval of real numbers a value must lie in; bounds are finite or infinite.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  static Range any() { return {}; }
  static Range at_least(double lo) { return {lo, Range{}.hi, false, false}; }
  static Range above(double lo) { return {lo, Range{}.hi, true, false}; }
  static Range unit_open() { return {0.0, 1.0, false, true}; }     // [0, 1)
  static Range unit_closed() { return {0.0, 1.0, false, false}; }  // [0, 1]

  bool contains(double x) const;
  std::string describe() const;  // "a number > 0", "in [0, 1)"
};

// A value to read: its key path for messages, its node, and where to report a problem with it
// (the key's place when the value is empty, since an empty value's mark is the next token).
struct Field {
  std::string path;
  const YamlNode& node;
  SourceLoc loc;
};

// How a node was found, for messages: -3, 1.5, 'yes please', the string '64', a map, a list,
// nothing.
std::string describe(const YamlNode& node);

// A name a spec may define or refer to: [A-Za-z_][A-Za-z0-9_]*.
bool is_identifier(std::string_view name);

// "layers.head" + "units" -> "layers.head.units"; the top level has the empty path.
std::string join_path(std::string_view path, std::string_view key);

std::optional<int64_t> read_integer(const Field& f, int64_t min, int64_t max, Diagnostics& d);
std::optional<double> read_real(const Field& f, const Range& range, Diagnostics& d);
std::optional<bool> read_flag(const Field& f, Diagnostics& d);
// Any scalar but null: a name, a file path, an expression (numbers keep their text).
std::optional<std::string> read_text(const Field& f, Diagnostics& d);
std::optional<std::string> read_identifier(const Field& f, Diagnostics& d);
// One of options, with "did you mean" when the value is near one.
std::optional<std::string> read_choice(const Field& f, std::span<const std::string> options,
                                       Diagnostics& d);

// One YAML map read key by key. Construction reports a node that is not a map, keys that are
// not scalars and keys given twice (the first one counts); finish() reports every key nobody
// asked for, with the nearest known key as a hint.
class MapReader {
 public:
  struct Found {
    const YamlNode& key;
    const YamlNode& value;
  };

  // field: the map, with its key path ("layers.head"; "" at the top level). subject: how
  // "needs" messages name its owner ("layer 'head' (Dense)"). where: how unknown-key messages
  // name the map ("layers.head (Dense)").
  MapReader(const Field& field, std::string subject, std::string where, Diagnostics& diags);

  bool is_map() const { return is_map_; }
  const YamlNode& node() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& subject() const { return subject_; }
  Diagnostics& diags() const { return diags_; }
  void rename(std::string subject, std::string where);

  bool has(std::string_view key) const;
  // The entry for key, marking it consumed and known; nullopt when absent.
  std::optional<Found> take(std::string_view key);
  // As take, but a missing key is an error "<subject> needs '<key>'" at the map.
  std::optional<Found> need(std::string_view key);
  // A key the map may hold though nobody read it (a hint for "did you mean").
  void know(std::string_view key);
  // The value of key as a Field to read.
  Field field(const Found& found, std::string_view key) const;

  // Every distinct entry, each marked consumed: for maps whose keys are names (inputs, layers).
  std::vector<Found> take_all();

  // Reports each key not consumed: by default "unknown key 'k' in <where> (did you mean ...)";
  // `message` may word it otherwise (it gets the key and the hint).
  using UnknownKeyMessage = std::function<std::string(std::string_view key, std::string hint)>;
  void finish(const UnknownKeyMessage& message = nullptr);

 private:
  struct Item {
    std::string name;
    const YamlNode* key;
    const YamlNode* value;
    bool taken = false;
  };

  const YamlNode& node_;
  std::string path_;
  std::string subject_;
  std::string where_;
  Diagnostics& diags_;
  bool is_map_ = false;
  std::vector<Item> items_;  // the first entry of each distinct scalar key
  std::vector<std::string> known_;
};

}  // namespace twinflow::graph
