#include "graph/yaml/tree.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "graph/yaml/layout_hint.h"

namespace twinflow::graph {

namespace {

// The non-specific tags ("?" plain, "!" quoted) and YAML's own tags for plain data.
bool allowed_tag(const std::string& tag) {
  if (tag.empty() || tag == "?" || tag == "!") return true;
  if (!tag.starts_with(kYamlCoreTagPrefix)) return false;
  const std::string_view name = std::string_view(tag).substr(kYamlCoreTagPrefix.size());
  for (std::string_view ok : {"str", "int", "float", "bool", "null", "map", "seq"})
    if (name == ok) return true;
  return false;
}

// As the user wrote it: "!!python/object:os.system", not "tag:yaml.org,2002:python/...".
std::string shown_tag(const std::string& tag) {
  if (tag.starts_with(kYamlCoreTagPrefix)) return "!!" + tag.substr(kYamlCoreTagPrefix.size());
  return tag;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Walks the source text from a mark, keeping line and column (both 0-based, as yaml-cpp's).
class Cursor {
 public:
  Cursor(std::string_view text, const YAML::Mark& mark)
      : text_(text), pos_(static_cast<size_t>(mark.pos)), line_(mark.line), column_(mark.column) {}
  char at() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void step() {
    if (at() == '\n') {
      ++line_;
      column_ = 0;
    } else {
      ++column_;
    }
    ++pos_;
  }
  void skip_blanks() {
    while (is_blank(at())) step();
  }
  SourceLoc loc(const std::string& file) const { return {file, line_ + 1, column_ + 1}; }

 private:
  std::string_view text_;
  size_t pos_;
  int line_;
  int column_;
};

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::string_view text, const std::string& file, Diagnostics& diags)
      : text_(text), file_(file), diags_(diags) {
    // yaml-cpp's positions start after a byte-order mark.
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  }

  std::shared_ptr<const YamlNode> root() const { return root_; }
  int documents() const { return documents_; }
  const SourceLoc& last_document() const { return last_document_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents_;
    last_document_ = loc(mark);
    root_.reset();
    open_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(make(YamlNode::Kind::kNull, mark, "?", anchor));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    for (const Open& open : open_) {
      if (it != anchors_.end() && open.node == it->second) {
        diags_.error(loc(mark), "this alias refers to a node that contains it");
        auto node = make(YamlNode::Kind::kNull, mark, "?", YAML::NullAnchor);
        node->reported = true;
        add(node);
        return;
      }
    }
    // yaml-cpp has already refused an alias to an anchor not yet defined.
    if (it != anchors_.end()) add(it->second);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    auto node = make(YamlNode::Kind::kScalar, mark, tag, anchor);
    node->value = value;
    locate_content(*node, mark);
    add(node);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(make(YamlNode::Kind::kList, mark, tag, anchor));
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(make(YamlNode::Kind::kMap, mark, tag, anchor));
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    std::shared_ptr<YamlNode> node;
    std::shared_ptr<const YamlNode> pending_key;  // a map's key waiting for its value
  };

  SourceLoc loc(const YAML::Mark& mark) const {
    if (mark.is_null()) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
  }

  std::shared_ptr<YamlNode> make(YamlNode::Kind kind, const YAML::Mark& mark,
                                 const std::string& tag, YAML::anchor_t anchor) {
    auto node = std::make_shared<YamlNode>();
    node->kind = kind;
    node->tag = tag;
    node->loc = loc(mark);
    node->text_loc = node->loc;
    if (!allowed_tag(tag)) {
      diags_.error(node->loc,
                   "YAML tag '" + shown_tag(tag) + "' is not allowed: a spec is plain data");
      node->reported = true;
    }
    if (anchor != YAML::NullAnchor) anchors_[anchor] = node;
    return node;
  }

  // A scalar's style and first character of content, read from the source at its mark: past
  // its tag and anchor, inside its quotes, or on the first non-blank line below a `|` or `>`.
  void locate_content(YamlNode& node, const YAML::Mark& mark) const {
    if (mark.is_null() || static_cast<size_t>(mark.pos) >= text_.size()) return;
    Cursor c(text_, mark);
    while (c.at() == '!' || c.at() == '&') {
      while (c.at() != '\0' && !is_blank(c.at())) c.step();
      c.skip_blanks();
    }
    const char first = c.at();
    // A plain scalar ("?") cannot start with a quote or a block indicator; if the text says
    // otherwise the mark does not point where expected, and the node's own mark is kept.
    if ((first == '"' || first == '\'') && node.tag != "?") {
      node.style = YamlNode::Style::kQuoted;
      c.step();
    } else if ((first == '|' || first == '>') && node.tag != "?") {
      node.style = YamlNode::Style::kBlock;
      while (c.at() != '\0' && c.at() != '\n') c.step();
      c.skip_blanks();
    } else if (first == '"' || first == '\'' || first == '|' || first == '>') {
      return;
    }
    node.text_loc = c.loc(file_);
  }

  void add(std::shared_ptr<const YamlNode> node) {
    if (open_.empty()) {
      root_ = std::move(node);
      return;
    }
    Open& top = open_.back();
    if (top.node->is_list()) {
      top.node->items.push_back(std::move(node));
    } else if (!top.pending_key) {
      top.pending_key = std::move(node);
    } else {
      top.node->entries.push_back({std::move(top.pending_key), std::move(node)});
      top.pending_key.reset();
    }
  }

  void open(std::shared_ptr<YamlNode> node) { open_.push_back({std::move(node), nullptr}); }

  void close() {
    if (open_.empty()) return;
    std::shared_ptr<YamlNode> node = std::move(open_.back().node);
    open_.pop_back();
    add(std::move(node));
  }

  std::string_view text_;
  const std::string& file_;
  Diagnostics& diags_;
  std::shared_ptr<const YamlNode> root_;
  std::vector<Open> open_;
  std::map<YAML::anchor_t, std::shared_ptr<const YamlNode>> anchors_;
  int documents_ = 0;
  SourceLoc last_document_;
};

SourceLoc mark_loc(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

// The last line of text, where an empty spec is reported (after any comments it has).
SourceLoc end_of(std::string_view text, const std::string& file) {
  const int newlines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  const bool ends_a_line = !text.empty() && text.back() == '\n';
  return {file, ends_a_line ? newlines : newlines + 1, 1};
}

}  // namespace

std::shared_ptr<const YamlNode> load_yaml(std::string_view text, const std::string& file,
                                          Diagnostics& diags) {
  std::istringstream in{std::string(text)};
  TreeBuilder builder(text, file, diags);
  try {
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(builder)) {
      diags.error(end_of(text, file),
                  "the spec is empty: expected a map with model, inputs, layers, graph and "
                  "outputs");
      return nullptr;
    }
    std::shared_ptr<const YamlNode> root = builder.root();
    if (parser.HandleNextDocument(builder)) {
      diags.error(builder.last_document(),
                  "a spec is one YAML document, but a second one starts here");
      return nullptr;
    }
    return root;
  } catch (const YAML::DeepRecursion& e) {
    diags.error(mark_loc(e.mark, file), "invalid YAML: nested too deeply");
  } catch (const YAML::Exception& e) {
    const SourceLoc loc = mark_loc(e.mark, file);
    const LayoutHint hint = yaml_layout_hint(text, file, loc.line, e.msg);
    if (hint.message.empty())
      diags.error(loc, "invalid YAML: " + e.msg);
    else
      diags.error(hint.loc, hint.message);
  }
  return nullptr;
}

}  // namespace twinflow::graph
