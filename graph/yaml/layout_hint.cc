#include "graph/yaml/layout_hint.h"

#include <fmt/format.h>

#include <vector>

namespace twinflow::graph {

namespace {

struct Line {
  int number = 0;
  int indent = 0;  // spaces before the first other character
  bool tab_in_indent = false;
  bool content = false;  // neither blank nor a comment
  std::string_view text;
};

std::vector<Line> lines_up_to(std::string_view text, int last) {
  std::vector<Line> lines;
  size_t start = 0;
  for (int number = 1; number <= last && start <= text.size(); ++number) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    Line line{.number = number, .text = text.substr(start, end - start)};
    size_t i = 0;
    while (i < line.text.size() && (line.text[i] == ' ' || line.text[i] == '\t')) {
      line.tab_in_indent |= line.text[i] == '\t';
      ++i;
    }
    line.indent = static_cast<int>(i);
    line.content = i < line.text.size() && line.text[i] != '#' && line.text[i] != '\r';
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// A line as quoted in a message: without its indentation, at most 40 characters.
std::string shown(const Line& line) {
  std::string_view text = line.text.substr(static_cast<size_t>(line.indent));
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text.size() > 40 ? std::string(text.substr(0, 37)) + "..." : std::string(text);
}

}  // namespace

LayoutHint yaml_layout_hint(std::string_view text, const std::string& file, int error_line,
                            const std::string& parser_message) {
  const std::vector<Line> lines = lines_up_to(text, error_line);
  for (const Line& line : lines)
    if (line.tab_in_indent && line.content)
      return {{file, line.number, 1},
              "invalid YAML: a tab in this line's indentation; YAML indents with spaces only"};
  if (lines.empty() || !lines.back().content) return {};
  // The blocks open above the failing line: each later line indented deeper opens one.
  const Line& failing = lines.back();
  std::vector<const Line*> open;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (!lines[i].content) continue;
    while (!open.empty() && open.back()->indent >= lines[i].indent) open.pop_back();
    open.push_back(&lines[i]);
  }
  for (const Line* block : open)
    if (block->indent == failing.indent) return {};  // aligned with a block: not a layout slip
  std::string blocks;
  for (const Line* block : open)
    blocks += fmt::format("{}column {} (line {}, '{}')", blocks.empty() ? "" : ", ",
                          block->indent + 1, block->number, shown(*block));
  return {{file, failing.number, failing.indent + 1},
          fmt::format("invalid YAML ({}): this line starts at column {}, which lines up with no "
                      "block above it; the blocks open here start at {}",
                      parser_message, failing.indent + 1, blocks.empty() ? "nothing" : blocks)};
}

}  // namespace twinflow::graph
