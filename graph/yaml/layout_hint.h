// graph/yaml/layout_hint.h — what a YAML syntax error usually means in a hand-written spec:
// a tab in the indentation, or a line indented to match no block above it. yaml-cpp says only
// "end of map not found"; these say which line is out of place and where its block started.
#pragma once

#include <string>
#include <string_view>

#include "graph/ir/errors.h"

namespace twinflow::graph {

struct LayoutHint {
  SourceLoc loc;        // where the user should look
  std::string message;  // what is wrong there; empty when no layout problem was found
};

// text: the whole file; error_line: 1-based line yaml-cpp stopped at; parser_message: its
// message. Looks at the lines up to error_line.
LayoutHint yaml_layout_hint(std::string_view text, const std::string& file, int error_line,
                            const std::string& parser_message);

}  // namespace twinflow::graph
