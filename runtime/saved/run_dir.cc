#include "runtime/saved/run_dir.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <system_error>
#include <vector>

#include "runtime/saved/model_dir.h"

namespace twinflow::runtime {

namespace {

using Shapes = std::map<std::string, std::string>;  // parameter name → shape

Shapes parameter_shapes(const graph::Model& model) {
  Shapes shapes;
  for (const graph::Value& v : model.graph->values())
    if (v.kind == graph::ValueKind::kParameter) shapes[v.name] = v.shape.to_string();
  return shapes;
}

// "a [2, 3], b [4] and 3 more".
std::string listed(const std::vector<std::string>& items) {
  constexpr size_t kShown = 3;
  std::string out;
  for (size_t i = 0; i < items.size() && i < kShown; ++i) out += (i > 0 ? ", " : "") + items[i];
  if (items.size() > kShown) out += fmt::format(" and {} more", items.size() - kShown);
  return out;
}

std::string spec_file(const graph::Model& model) {
  return model.spec.file.empty() ? std::string() : fmt::format(" ({})", model.spec.file);
}

namespace fs = std::filesystem;

bool writable(const fs::path& dir) { return ::access(dir.c_str(), W_OK) == 0; }

// The nearest existing ancestor of a directory to be made must be a writable directory.
void require_creatable(const fs::path& dir) {
  fs::path parent = fs::absolute(dir).parent_path();
  while (!fs::exists(parent) && parent.has_relative_path()) parent = parent.parent_path();
  if (!fs::is_directory(parent))
    throw ModelDirError(fmt::format("cannot make {}: {} is a file, not a directory", dir.string(),
                                    parent.string()));
  if (!writable(parent))
    throw ModelDirError(
        fmt::format("cannot make {}: {} is not writable", dir.string(), parent.string()));
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Why dir may not take a run of `given`, or "" when it may.
std::string refusal(const fs::path& dir, const graph::Model& given) {
  const std::vector<std::string> names = entries(dir);
  if (names.empty()) return "";
  const bool is_run = fs::exists(dir / "spec.yaml") && fs::exists(dir / "state.json");
  if (!is_run)
    return fmt::format("it holds files that are not a finished or resumable twinflow run ({})",
                       listed(names));
  try {
    const SavedModel saved = load_model_dir(dir.string());
    if (const auto difference = spec_difference(saved.model, given))
      return "it holds a run of another spec: " + *difference;
  } catch (const ModelDirError& e) {
    return fmt::format("it holds a damaged run ({})", e.what());
  }
  return "";
}

}  // namespace

const std::vector<std::string>& run_files() {
  static const std::vector<std::string> kFiles = {"spec.yaml",
                                                  "vocab.txt",
                                                  "weights.safetensors",
                                                  "checkpoints",
                                                  "checkpoint.safetensors",
                                                  "optimizer.safetensors",
                                                  "state.json",
                                                  "log.jsonl",
                                                  "run.json"};
  return kFiles;
}

void prepare_out_dir(const std::string& dir, const graph::Model& given, bool overwrite) {
  const fs::path path(dir);
  if (fs::exists(path) && !fs::is_directory(path))
    throw ModelDirError(fmt::format("--out {}: a file, not a directory", dir));
  if (!fs::exists(path)) return require_creatable(path);
  if (!writable(path)) throw ModelDirError(fmt::format("--out {}: not writable", dir));
  const std::string why = refusal(path, given);
  if (why.empty()) return;
  if (!overwrite)
    throw ModelDirError(fmt::format(
        "--out {}: {}. Choose another directory, or give --overwrite to replace the run files "
        "in it",
        dir, why));
  for (const std::string& name : run_files()) fs::remove_all(path / name);
}

std::string next_run_dir(const std::string& root, const std::string& model) {
  const fs::path base = fs::path(root) / model;
  int64_t largest = 0;
  std::error_code ignored;
  if (fs::is_directory(base, ignored))
    for (const std::string& name : entries(base)) {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
      if (ec == std::errc() && end == name.data() + name.size()) largest = std::max(largest, n);
    }
  return (base / std::to_string(largest + 1)).string();
}

std::optional<std::string> spec_difference(const graph::Model& run, const graph::Model& given) {
  const Shapes ours = parameter_shapes(run), theirs = parameter_shapes(given);
  std::vector<std::string> only_run, only_given, reshaped;
  for (const auto& [name, shape] : ours) {
    const auto other = theirs.find(name);
    if (other == theirs.end())
      only_run.push_back(name + " " + shape);
    else if (other->second != shape)
      reshaped.push_back(
          fmt::format("{} {} in the run, {} in the given spec", name, shape, other->second));
  }
  for (const auto& [name, shape] : theirs)
    if (!ours.contains(name)) only_given.push_back(name + " " + shape);
  if (run.spec.name == given.spec.name && only_run.empty() && only_given.empty() &&
      reshaped.empty())
    return std::nullopt;
  std::string text = fmt::format("the run's model is '{}'{}, the given spec's is '{}'{}",
                                 run.spec.name, spec_file(run), given.spec.name, spec_file(given));
  if (!only_run.empty()) text += "; parameters only in the run: " + listed(only_run);
  if (!only_given.empty()) text += "; only in the given spec: " + listed(only_given);
  if (!reshaped.empty()) text += "; of another shape: " + listed(reshaped);
  return text;
}

void require_same_spec(const std::string& dir, const graph::Model& given) {
  const SavedModel saved = load_model_dir(dir);
  if (const auto difference = spec_difference(saved.model, given))
    throw ModelDirError(fmt::format("{} was trained from a different spec: {}", dir, *difference));
}

}  // namespace twinflow::runtime
