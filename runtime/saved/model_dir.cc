#include "runtime/saved/model_dir.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "runtime/io/atomic_file.h"
#include "runtime/io/safetensors.h"
#include "runtime/io/weights_file.h"
#include "runtime/saved/checkpoint.h"

namespace twinflow::runtime {

namespace {

using nlohmann::json;

// JSON has no Inf or NaN: they are written as null and read back as the defaults.
json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

// state.json's keys are read one by one, so an error names the key and what it holds. A count
// is checked to be a whole number before it is converted: nlohmann's get<int64_t>() cuts 1.5 to
// 1 and turns 1e300 into undefined behaviour.
class StateReader {
 public:
  StateReader(const json& j, const std::string& path) : j_(j), path_(path) {
    if (!j_.is_object()) fail(fmt::format("it must hold a JSON object, not {}", j_.type_name()));
  }

  int64_t count(const char* key) const {
    const json& v = at(key);
    if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > kMaxCount) ||
        (!v.is_number_unsigned() && v.get<int64_t>() < 0))
      fail(fmt::format("'{}' must be a whole number from 0 to {}, found {}", key, kMaxCount,
                       v.dump()));
    return v.get<int64_t>();
  }
  uint64_t seed(const char* key) const {
    const json& v = at(key);
    if (!v.is_number_unsigned())
      fail(fmt::format("'{}' must be a whole number from 0 to 2^64 - 1, found {}", key, v.dump()));
    return v.get<uint64_t>();
  }
  std::string text(const char* key) const {
    const json& v = at(key);
    if (!v.is_string()) fail(fmt::format("'{}' must be a string, found {}", key, v.dump()));
    return v.get<std::string>();
  }
  // Keys added to state.json after its first version read as fallback when absent.
  int64_t count_or(const char* key, int64_t fallback) const {
    return j_.contains(key) ? count(key) : fallback;
  }
  std::string text_or(const char* key, const std::string& fallback) const {
    return j_.contains(key) ? text(key) : fallback;
  }
  // The files a run was trained on: a list of {role, path, sha256}, all strings.
  std::vector<InputFile> inputs(const char* key) const {
    std::vector<InputFile> files;
    if (!j_.contains(key)) return files;
    const json& list = at(key);
    if (!list.is_array()) fail(fmt::format("'{}' must be a list, found {}", key, list.dump()));
    for (const json& f : list) {
      const auto field = [&](const char* name) {
        const auto it = f.is_object() ? f.find(name) : f.end();
        if (it == f.end() || !it->is_string())
          fail(fmt::format("each of '{}' must hold the strings role, path and sha256, found {}",
                           key, f.dump()));
        return it->get<std::string>();
      };
      files.push_back({field("role"), field("path"), field("sha256")});
    }
    return files;
  }
  // JSON has no Inf or NaN: they are written as null, and null (or no key) reads as fallback.
  double number(const char* key, double fallback) const {
    const auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return fallback;
    if (!it->is_number()) fail(fmt::format("'{}' must be a number, found {}", key, it->dump()));
    return it->get<double>();
  }
  std::optional<double> optional_number(const char* key) const {
    const double value = number(key, std::numeric_limits<double>::quiet_NaN());
    return std::isnan(value) ? std::nullopt : std::optional<double>(value);
  }

  [[noreturn]] void fail(const std::string& detail) const {
    throw ModelDirError(fmt::format("{}: not a valid state file: {}", path_, detail));
  }

 private:
  static constexpr uint64_t kMaxCount = std::numeric_limits<int64_t>::max();

  const json& at(const char* key) const {
    const auto it = j_.find(key);
    if (it == j_.end()) fail(fmt::format("it has no '{}'", key));
    return *it;
  }

  const json& j_;
  const std::string& path_;
};

std::string read_text_file(const std::string& path) {
  const std::vector<unsigned char> bytes = read_file_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

void require_file(const std::string& dir, const std::string& name) {
  const std::string path = dir_file(dir, name);
  if (!std::filesystem::is_regular_file(path))
    throw ModelDirError(
        fmt::format("{}: missing: a saved model directory holds spec.yaml, "
                    "vocab.txt, weights.safetensors and state.json",
                    path));
}

}  // namespace

std::string dir_file(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

std::string to_json_line(const EpochLog& log) {
  json j = json::object();
  j["epoch"] = log.epoch;
  j["loss"] = number_or_null(log.loss);
  for (const auto& [name, value] : log.metrics) j[name] = number_or_null(value);
  if (log.has_val) {
    j["val_loss"] = number_or_null(log.val_loss);
    for (const auto& [name, value] : log.val_metrics) j["val_" + name] = number_or_null(value);
  }
  j["seconds"] = log.seconds;
  return j.dump();
}

void write_spec(const std::string& dir, const graph::ModelSpec& spec) {
  write_file_atomically(dir_file(dir, "spec.yaml"), graph::emit_spec(spec));
}

void write_state(const std::string& dir, const TrainState& state) {
  json inputs = json::array();
  for (const InputFile& f : state.inputs)
    inputs.push_back({{"role", f.role}, {"path", f.path}, {"sha256", f.sha256}});
  json j = {{"epoch", state.epoch},
            {"batch", state.batch},
            {"step", state.step},
            {"monitor", state.monitor},
            {"best_value", number_or_null(state.best_value)},
            {"best_epoch", state.best_epoch},
            {"stale_epochs", state.stale_epochs},
            {"threshold", state.threshold ? json(*state.threshold) : json(nullptr)},
            {"seed", state.seed},
            {"dtype", state.dtype},
            {"initial_loss", number_or_null(state.initial_loss)},
            {"checkpoint", state.checkpoint},
            {"inputs", inputs}};
  write_file_atomically(dir_file(dir, "state.json"), j.dump(2) + "\n");
}

TrainState read_state(const std::string& dir) {
  require_file(dir, "state.json");
  const std::string path = dir_file(dir, "state.json");
  json j;
  try {
    j = json::parse(read_text_file(path));
  } catch (const json::exception& e) {
    throw ModelDirError(fmt::format("{}: not a valid state file: {}", path, e.what()));
  }
  const StateReader read(j, path);
  TrainState s;
  s.epoch = read.count("epoch");
  s.step = read.count("step");
  // A run saved before `monitor:` existed picked its best epoch by best_val_loss.
  s.monitor = read.text_or("monitor", s.monitor);
  s.best_value =
      read.number(j.contains("best_value") ? "best_value" : "best_val_loss", s.best_value);
  s.threshold = read.optional_number("threshold");
  s.best_epoch = read.count("best_epoch");
  s.stale_epochs = read.count("stale_epochs");
  s.seed = read.seed("seed");
  s.dtype = read.text("dtype");
  s.initial_loss = read.number("initial_loss", s.initial_loss);
  s.batch = read.count_or("batch", 0);
  s.checkpoint = read.text_or("checkpoint", "");
  s.inputs = read.inputs("inputs");
  if (s.dtype != "float32" && s.dtype != "float64")
    throw ModelDirError(
        fmt::format("{}: dtype must be float32 or float64, found '{}'", path, s.dtype));
  return s;
}

void write_log(const std::string& dir, const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  write_file_atomically(dir_file(dir, "log.jsonl"), text);
}

std::vector<std::string> read_log(const std::string& dir) {
  const std::string path = dir_file(dir, "log.jsonl");
  std::vector<std::string> lines;
  if (!std::filesystem::exists(path)) return lines;
  const std::string text = read_text_file(path);
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin) lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

SavedModel load_model_dir(const std::string& dir) {
  if (!std::filesystem::is_directory(dir))
    throw ModelDirError(
        fmt::format("{}: not a directory (a saved model is one: twinflow train "
                    "--out DIR writes it)",
                    dir));
  for (const char* name : {"spec.yaml", "vocab.txt", "state.json"}) require_file(dir, name);
  TrainState state = read_state(dir);
  const bool linked = std::filesystem::exists(dir_file(dir, "weights.safetensors"));
  const std::string weights = linked ? "weights.safetensors" : weights_of_checkpoint(dir, state);
  require_file(dir, weights);
  graph::Diagnostics diags;
  const std::string spec_path = dir_file(dir, "spec.yaml");
  std::optional<graph::ModelSpec> spec = graph::parse_spec_file(spec_path, diags);
  std::optional<graph::Model> model;
  if (spec) model = graph::build_model(*spec, diags);
  if (!model) throw ModelDirError(diags.to_string() + spec_path + ": the spec has errors");
  Vocabulary vocab = Vocabulary::read(dir_file(dir, "vocab.txt"));
  return SavedModel{std::move(*model), std::move(vocab), state, weights};
}

template <typename T>
void load_dir_weights(const std::string& dir, const std::string& file, ParameterStore<T>& params) {
  require_file(dir, file);
  load_weights(dir_file(dir, file), params, LoadMode::kStrict);
}

template <typename T>
ParameterStore<T> load_dir_parameters(const std::string& dir, const std::string& file,
                                      const graph::Graph& graph, uint64_t seed) {
  require_file(dir, file);
  const std::string path = dir_file(dir, file);
  const SafetensorsContent weights = read_safetensors(path);
  const WeightsLoadReport report = match_weights(weights, graph);
  if (!report.complete()) throw SafetensorsError(fmt::format("{}: {}", path, report.problems()));
  ParameterStore<T> params(graph, seed);
  load_weights(weights, params, LoadMode::kStrict, path);
  return params;
}

template void load_dir_weights(const std::string&, const std::string&, ParameterStore<float>&);
template void load_dir_weights(const std::string&, const std::string&, ParameterStore<double>&);
template ParameterStore<float> load_dir_parameters(const std::string&, const std::string&,
                                                   const graph::Graph&, uint64_t);
template ParameterStore<double> load_dir_parameters(const std::string&, const std::string&,
                                                    const graph::Graph&, uint64_t);

}  // namespace twinflow::runtime
