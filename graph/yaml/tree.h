// graph/yaml/tree.h — one YAML document as a plain tree of maps, lists and scalars, with the
// place every node was written.
//
// yaml-cpp's Node API hides what a strict reader needs: a map that repeats a key keeps only
// one entry, and whether a scalar was quoted is gone. This tree is built from the parser's
// events instead, so a map keeps every entry in file order (duplicates too), a scalar keeps
// its style, and a tag that is not one of YAML's own plain-data tags is reported where it is
// written: a spec is data, and `!!python/object:...` must never mean anything.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/diagnostics.h"

namespace twinflow::graph {

// The prefix of YAML's own tags ("tag:yaml.org,2002:str" is written !!str).
inline constexpr std::string_view kYamlCoreTagPrefix = "tag:yaml.org,2002:";

struct YamlNode {
  enum class Kind { kNull, kScalar, kList, kMap };
  // How a scalar was written: plain (typed by its text: 12, 0.5, true), or quoted / as a
  // block (`|`, `>`), which makes it a string whatever it says.
  enum class Style { kPlain, kQuoted, kBlock };

  struct Entry {
    std::shared_ptr<const YamlNode> key;
    std::shared_ptr<const YamlNode> value;
  };

  Kind kind = Kind::kNull;
  Style style = Style::kPlain;
  std::string tag;    // "?" (plain), "!" (quoted) or an explicit tag, resolved by the parser
  std::string value;  // a scalar's text
  std::vector<std::shared_ptr<const YamlNode>> items;  // a list's
  std::vector<Entry> entries;                          // a map's, in file order
  SourceLoc loc;       // where the node starts (its tag or anchor, if any)
  SourceLoc text_loc;  // a scalar's first character of content (inside quotes, below a `|`)
  // An error was already reported at this node (a refused tag, an alias that contains
  // itself): readers skip it quietly so one mistake gives one message.
  bool reported = false;

  bool is_null() const { return kind == Kind::kNull; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_list() const { return kind == Kind::kList; }
  bool is_map() const { return kind == Kind::kMap; }
};

// Parses text as one YAML document. Returns nullptr when it is not YAML (a syntax error, at
// yaml-cpp's mark), is empty or holds several documents; tag errors are reported but the tree
// is still returned, with the offending nodes marked `reported`. Never throws on bad input.
std::shared_ptr<const YamlNode> load_yaml(std::string_view text, const std::string& file,
                                          Diagnostics& diags);

}  // namespace twinflow::graph
