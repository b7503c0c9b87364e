#include "runtime/saved/resume_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <utility>

#include "runtime/io/sha256.h"

namespace twinflow::runtime {

namespace {

// What a resume may change, blanked out before the comparison.
graph::ModelSpec comparable(graph::ModelSpec spec) {
  spec.file.clear();
  spec.train.epochs = 0;
  spec.train.patience = 0;
  spec.train.monitor.reset();  // a new monitor starts its count anew (Trainer::resume)
  spec.train.keep.clear();
  spec.train.seed = 0;  // the run's own seed continues (state.json), whatever is given
  spec.train.data.clear();
  spec.train.val.clear();
  spec.train.test.clear();
  return spec;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t indent_of(const std::string& line) { return line.find_first_not_of(' '); }

std::string trimmed(const std::string& line) {
  const size_t start = indent_of(line);
  return start == std::string::npos ? "" : line.substr(start);
}

// The keys enclosing line i of an emitted spec ("train > optimizer"), read off the indentation.
std::string enclosing_keys(const std::vector<std::string>& lines, size_t i) {
  std::vector<std::string> keys;
  size_t indent = indent_of(lines[i]);
  for (size_t j = i; j-- > 0 && indent > 0;) {
    const size_t own = indent_of(lines[j]);
    if (own == std::string::npos || own >= indent) continue;
    std::string key = trimmed(lines[j]);
    key = key.substr(0, key.find(':'));
    keys.push_back(key);
    indent = own;
  }
  std::reverse(keys.begin(), keys.end());
  std::string text;
  for (const std::string& key : keys) text += (text.empty() ? "" : " > ") + key;
  return text.empty() ? "top level" : text;
}

constexpr size_t kShownChanges = 5;

// The items of a one-line flow map ("key: {a: 1, b: 2}" -> "a: 1", "b: 2"); nothing when the
// line holds none.
std::vector<std::string> flow_items(const std::string& line) {
  const size_t open = line.find('{'), close = line.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::vector<std::string> items;
  const std::string inner = line.substr(open + 1, close - open - 1);
  for (size_t begin = 0; begin <= inner.size();) {
    size_t end = inner.find(", ", begin);
    if (end == std::string::npos) end = inner.size();
    items.push_back(inner.substr(begin, end - begin));
    begin = end + 2;
  }
  return items;
}

// Line i of the emitted specs differs: the items that differ when it is a flow map of the same
// keys ("optimizer: {name: adam, lr: 0.05, ...}"), else the whole line.
std::vector<std::string> line_changes(const std::vector<std::string>& before,
                                      const std::vector<std::string>& now, size_t i) {
  std::string where = enclosing_keys(now, i);
  const std::vector<std::string> old_items = flow_items(before[i]), new_items = flow_items(now[i]);
  std::vector<std::string> changes;
  if (!old_items.empty() && old_items.size() == new_items.size()) {
    const std::string key = trimmed(now[i]).substr(0, trimmed(now[i]).find(':'));
    where = where == "top level" ? key : where + " > " + key;
    for (size_t k = 0; k < old_items.size(); ++k)
      if (old_items[k] != new_items[k])
        changes.push_back(fmt::format("spec line {} ({}): '{}' in the saved run, '{}' now", i + 1,
                                      where, old_items[k], new_items[k]));
    if (!changes.empty()) return changes;
  }
  return {fmt::format("spec line {} ({}): '{}' in the saved run, '{}' now", i + 1, where,
                      trimmed(before[i]), trimmed(now[i]))};
}

}  // namespace

std::vector<InputFile> hash_inputs(const graph::TrainSpec& train) {
  std::vector<InputFile> inputs;
  for (const auto& [role, path] : {std::pair{"data", train.data}, std::pair{"val", train.val}})
    if (!path.empty()) inputs.push_back({role, path, sha256_file_hex(path)});
  return inputs;
}

std::vector<std::string> spec_changes(const graph::ModelSpec& saved,
                                      const graph::ModelSpec& given) {
  const std::vector<std::string> before = lines_of(graph::emit_spec(comparable(saved)));
  const std::vector<std::string> now = lines_of(graph::emit_spec(comparable(given)));
  std::vector<std::string> changes;
  const size_t common = std::min(before.size(), now.size());
  for (size_t i = 0; i < common && changes.size() < kShownChanges; ++i)
    if (before[i] != now[i])
      for (std::string& change : line_changes(before, now, i)) changes.push_back(std::move(change));
  if (changes.empty() && before.size() != now.size())
    changes.push_back(
        fmt::format("spec: {} lines in the saved run, {} now", before.size(), now.size()));
  return changes;
}

std::vector<std::string> input_changes(const std::vector<InputFile>& saved,
                                       const std::vector<InputFile>& now) {
  std::vector<std::string> changes;
  for (const InputFile& old : saved) {
    const auto same_role = [&old](const InputFile& f) { return f.role == old.role; };
    const auto current = std::find_if(now.begin(), now.end(), same_role);
    if (current == now.end())
      changes.push_back(fmt::format("the {} file {} is no longer given", old.role, old.path));
    else if (current->sha256 != old.sha256)
      changes.push_back(fmt::format("the {} file has changed: {} had SHA-256 {}, {} has {}",
                                    old.role, old.path, old.sha256.substr(0, 12), current->path,
                                    current->sha256.substr(0, 12)));
  }
  for (const InputFile& f : now)
    if (std::none_of(saved.begin(), saved.end(),
                     [&f](const InputFile& old) { return old.role == f.role; }) &&
        !saved.empty())
      changes.push_back(
          fmt::format("the {} file {} was not used by the saved run", f.role, f.path));
  return changes;
}

}  // namespace twinflow::runtime
