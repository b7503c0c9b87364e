#include "graph/yaml/reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "graph/ir/suggest.h"

namespace twinflow::graph {

namespace {

enum class ScalarType { kNull, kBool, kInt, kFloat, kString };

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view unsigned_part(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s;
}

bool looks_int(std::string_view s) {
  s = unsigned_part(s);
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

bool is_special_float(std::string_view s) {
  const std::string_view u = unsigned_part(s);
  if (u == ".inf" || u == ".Inf" || u == ".INF") return true;
  return s == ".nan" || s == ".NaN" || s == ".NAN";
}

// YAML 1.2's core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool looks_float(std::string_view s) {
  if (is_special_float(s)) return true;
  s = unsigned_part(s);
  size_t i = 0;
  size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (i == s.size()) return false;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  return i == s.size();
}

// What a scalar means: its explicit tag when it has one, else a quoted scalar is a string and
// a plain one is typed by its text, as YAML 1.2's core schema does.
ScalarType scalar_type(const YamlNode& node) {
  if (node.is_null()) return ScalarType::kNull;
  const std::string& tag = node.tag;
  if (tag.starts_with(kYamlCoreTagPrefix)) {
    const std::string_view name = std::string_view(tag).substr(kYamlCoreTagPrefix.size());
    if (name == "int") return ScalarType::kInt;
    if (name == "float") return ScalarType::kFloat;
    if (name == "bool") return ScalarType::kBool;
    if (name == "null") return ScalarType::kNull;
    return ScalarType::kString;
  }
  if (tag != "?" || node.style != YamlNode::Style::kPlain) return ScalarType::kString;
  const std::string& s = node.value;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ScalarType::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE")
    return ScalarType::kBool;
  if (looks_int(s)) return ScalarType::kInt;
  if (looks_float(s)) return ScalarType::kFloat;
  return ScalarType::kString;
}

std::optional<int64_t> parse_int(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  int64_t x = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return x;
}

std::optional<double> parse_real(std::string_view s) {
  if (is_special_float(s)) {
    if (unsigned_part(s).substr(1, 1) == "n" || unsigned_part(s).substr(1, 1) == "N")
      return std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    return s[0] == '-' ? -inf : inf;
  }
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double x = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return x;
}

// A scalar's text as it may appear inside a message: on one line, and not too long.
std::string quoted_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (out.size() >= 40) return "'" + out + "...'";
    out += c == '\n' ? ' ' : c;
  }
  return "'" + out + "'";
}

std::string integer_rule(int64_t min, int64_t max) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (min == kMin && max == kMax) return "an integer";
  if (max == kMax) return fmt::format("an integer >= {}", min);
  return fmt::format("an integer in [{}, {}]", min, max);
}

std::string join(std::span<const std::string> items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// One swap of neighbouring letters: "adma" for "adam".
bool is_transposition(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
         a.substr(i + 2) == b.substr(i + 2);
}

// did_you_mean, plus two slips its edit distance misses in short or shortened names: a swap of
// neighbouring letters ("adma" for "adam"), and a name cut short or run on ("glorot" for
// "glorot_uniform", "concatenate" for "concat").
std::string hint(std::string_view value, std::span<const std::string> options) {
  std::string near = did_you_mean(value, options);
  if (!near.empty()) return near;
  constexpr size_t kMinPrefix = 3;
  for (const std::string& option : options) {
    const bool prefix = value.size() >= kMinPrefix && option.size() >= kMinPrefix &&
                        (option.starts_with(value) || value.starts_with(option));
    if (is_transposition(value, option) || prefix) return " (did you mean '" + option + "'?)";
  }
  return "";
}

}  // namespace

bool Range::contains(double x) const {
  if (!std::isfinite(x)) return false;
  const bool above_lo = lo_open ? x > lo : x >= lo;
  const bool below_hi = hi_open ? x < hi : x <= hi;
  return above_lo && below_hi;
}

std::string Range::describe() const {
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  if (has_lo && has_hi)
    return fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
  if (has_lo) return fmt::format("a number {} {}", lo_open ? ">" : ">=", lo);
  if (has_hi) return fmt::format("a number {} {}", hi_open ? "<" : "<=", hi);
  return "a finite number";
}

std::string describe(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kNull:
      return "nothing";
    case YamlNode::Kind::kList:
      return "a list";
    case YamlNode::Kind::kMap:
      return "a map";
    case YamlNode::Kind::kScalar:
      break;
  }
  switch (scalar_type(node)) {
    case ScalarType::kNull:
      return "nothing";
    case ScalarType::kBool:
    case ScalarType::kInt:
    case ScalarType::kFloat:
      return node.value;
    case ScalarType::kString:
      break;
  }
  const bool plain = node.tag == "?" && node.style == YamlNode::Style::kPlain;
  return (plain ? "" : "the string ") + quoted_text(node.value);
}

bool is_identifier(std::string_view name) {
  if (name.empty() || is_digit(name[0])) return false;
  for (char c : name)
    if (!(is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
      return false;
  return true;
}

std::string join_path(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return fmt::format("{}.{}", path, key);
}

std::optional<int64_t> read_integer(const Field& f, int64_t min, int64_t max, Diagnostics& d) {
  if (f.node.reported) return std::nullopt;
  if (f.node.is_scalar() && scalar_type(f.node) == ScalarType::kInt) {
    const std::optional<int64_t> x = parse_int(f.node.value);
    if (x && *x >= min && *x <= max) return x;
  }
  d.error(f.loc,
          fmt::format("{} must be {}, found {}", f.path, integer_rule(min, max), describe(f.node)));
  return std::nullopt;
}

std::optional<double> read_real(const Field& f, const Range& range, Diagnostics& d) {
  if (f.node.reported) return std::nullopt;
  const ScalarType type = f.node.is_scalar() ? scalar_type(f.node) : ScalarType::kNull;
  if (type == ScalarType::kInt || type == ScalarType::kFloat) {
    const std::optional<double> x = parse_real(f.node.value);
    if (x && range.contains(*x)) return x;
  }
  d.error(f.loc,
          fmt::format("{} must be {}, found {}", f.path, range.describe(), describe(f.node)));
  return std::nullopt;
}

std::optional<bool> read_flag(const Field& f, Diagnostics& d) {
  if (f.node.reported) return std::nullopt;
  if (f.node.is_scalar() && scalar_type(f.node) == ScalarType::kBool) {
    const char first = f.node.value[0];
    return first == 't' || first == 'T';
  }
  d.error(f.loc, fmt::format("{} must be true or false, found {}", f.path, describe(f.node)));
  return std::nullopt;
}

std::optional<std::string> read_text(const Field& f, Diagnostics& d) {
  if (f.node.reported) return std::nullopt;
  if (f.node.is_scalar() && scalar_type(f.node) != ScalarType::kNull) return f.node.value;
  d.error(f.loc, fmt::format("{} must be a string, found {}", f.path, describe(f.node)));
  return std::nullopt;
}

std::optional<std::string> read_identifier(const Field& f, Diagnostics& d) {
  if (f.node.reported) return std::nullopt;
  if (f.node.is_scalar() && scalar_type(f.node) != ScalarType::kNull && is_identifier(f.node.value))
    return f.node.value;
  d.error(f.loc, fmt::format("{} must be an identifier ([A-Za-z_][A-Za-z0-9_]*), found {}", f.path,
                             describe(f.node)));
  return std::nullopt;
}

std::optional<std::string> read_choice(const Field& f, std::span<const std::string> options,
                                       Diagnostics& d) {
  if (f.node.reported) return std::nullopt;
  const bool text = f.node.is_scalar() && scalar_type(f.node) != ScalarType::kNull;
  if (text)
    for (const std::string& option : options)
      if (f.node.value == option) return option;
  d.error(f.loc, fmt::format("{} must be one of {}, found {}{}", f.path, join(options),
                             describe(f.node), text ? hint(f.node.value, options) : ""));
  return std::nullopt;
}

MapReader::MapReader(const Field& field, std::string subject, std::string where, Diagnostics& diags)
    : node_(field.node),
      path_(field.path),
      subject_(std::move(subject)),
      where_(std::move(where)),
      diags_(diags) {
  const std::string place = path_.empty() ? std::string("the spec") : path_;
  if (node_.reported) return;
  if (!node_.is_map()) {
    diags_.error(field.loc, fmt::format("{} must be a map, found {}", place, describe(node_)));
    return;
  }
  is_map_ = true;
  std::unordered_map<std::string, const YamlNode*> first;
  for (const YamlNode::Entry& entry : node_.entries) {
    const YamlNode& key = *entry.key;
    if (key.reported) continue;
    if (!key.is_scalar() || scalar_type(key) == ScalarType::kNull) {
      diags_.error(key.loc,
                   fmt::format("keys of {} must be names, found {}", place, describe(key)));
      continue;
    }
    const auto [it, inserted] = first.emplace(key.value, &key);
    if (!inserted) {
      diags_.error(key.loc, fmt::format("key '{}' is given twice in {} (first at line {})",
                                        key.value, place, it->second->loc.line));
      continue;
    }
    items_.push_back({key.value, &key, entry.value.get()});
  }
}

void MapReader::rename(std::string subject, std::string where) {
  subject_ = std::move(subject);
  where_ = std::move(where);
}

bool MapReader::has(std::string_view key) const {
  for (const Item& item : items_)
    if (item.name == key) return true;
  return false;
}

std::optional<MapReader::Found> MapReader::take(std::string_view key) {
  know(key);
  for (Item& item : items_) {
    if (item.name != key) continue;
    item.taken = true;
    return Found{*item.key, *item.value};
  }
  return std::nullopt;
}

std::optional<MapReader::Found> MapReader::need(std::string_view key) {
  std::optional<Found> found = take(key);
  if (found || !is_map_) return found;
  // A misspelt key ("unitz" for "units") is one mistake: it is reported once, as unknown with
  // a hint, rather than also as a missing key.
  const std::string wanted[] = {std::string(key)};
  for (Item& item : items_) {
    const bool known = std::find(known_.begin(), known_.end(), item.name) != known_.end();
    if (item.taken || known || hint(item.name, wanted).empty()) continue;
    item.taken = true;
    diags_.error(item.key->loc, fmt::format("unknown key '{}' in {} (did you mean '{}'?)",
                                            item.name, where_, key));
    return std::nullopt;
  }
  diags_.error(node_.loc, fmt::format("{} needs '{}'", subject_, key));
  return std::nullopt;
}

void MapReader::know(std::string_view key) { known_.emplace_back(key); }

Field MapReader::field(const Found& found, std::string_view key) const {
  return {join_path(path_, key), found.value,
          found.value.is_null() ? found.key.loc : found.value.loc};
}

std::vector<MapReader::Found> MapReader::take_all() {
  std::vector<Found> all;
  for (Item& item : items_) {
    item.taken = true;
    all.push_back({*item.key, *item.value});
  }
  return all;
}

void MapReader::finish(const UnknownKeyMessage& message) {
  for (const Item& item : items_) {
    if (item.taken) continue;
    const std::string key_hint = hint(item.name, known_);
    diags_.error(item.key->loc,
                 message ? message(item.name, key_hint)
                         : fmt::format("unknown key '{}' in {}{}", item.name, where_, key_hint));
  }
}

}  // namespace twinflow::graph
