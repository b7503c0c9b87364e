#include "runtime/saved/model_dir.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "runtime/io/atomic_file.h"
#include "runtime/io/safetensors.h"
#include "runtime/io/weights_file.h"

namespace twinflow::runtime {

namespace {

using nlohmann::json;

// JSON has no Inf or NaN: they are written as null and read back as the defaults.
json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

double number_from(const json& j, const char* key, double fallback) {
  const auto it = j.find(key);
  return it == j.end() || it->is_null() ? fallback : it->get<double>();
}

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
            {"best_val_loss", number_or_null(state.best_val_loss)},
            {"best_epoch", state.best_epoch},
            {"stale_epochs", state.stale_epochs},
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
  try {
    const json j = json::parse(read_text_file(path));
    TrainState s;
    s.epoch = j.at("epoch").get<int64_t>();
    s.step = j.at("step").get<int64_t>();
    s.best_val_loss = number_from(j, "best_val_loss", s.best_val_loss);
    s.best_epoch = j.at("best_epoch").get<int64_t>();
    s.stale_epochs = j.at("stale_epochs").get<int64_t>();
    s.seed = j.at("seed").get<uint64_t>();
    s.dtype = j.at("dtype").get<std::string>();
    s.initial_loss = number_from(j, "initial_loss", s.initial_loss);
    s.batch = j.value("batch", int64_t{0});
    s.checkpoint = j.value("checkpoint", std::string());
    for (const json& f : j.value("inputs", json::array()))
      s.inputs.push_back({f.at("role").get<std::string>(), f.at("path").get<std::string>(),
                          f.at("sha256").get<std::string>()});
    if (s.epoch < 0 || s.batch < 0 || s.step < 0)
      throw ModelDirError(fmt::format("{}: epoch, batch and step must not be negative", path));
    if (s.dtype != "float32" && s.dtype != "float64")
      throw ModelDirError(
          fmt::format("{}: dtype must be float32 or float64, found '{}'", path, s.dtype));
    return s;
  } catch (const json::exception& e) {
    throw ModelDirError(fmt::format("{}: not a valid state file: {}", path, e.what()));
  }
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
  for (const char* name : {"spec.yaml", "vocab.txt", "weights.safetensors", "state.json"})
    require_file(dir, name);
  graph::Diagnostics diags;
  const std::string spec_path = dir_file(dir, "spec.yaml");
  std::optional<graph::ModelSpec> spec = graph::parse_spec_file(spec_path, diags);
  std::optional<graph::Model> model;
  if (spec) model = graph::build_model(*spec, diags);
  if (!model) throw ModelDirError(diags.to_string() + spec_path + ": the spec has errors");
  Vocabulary vocab = Vocabulary::read(dir_file(dir, "vocab.txt"));
  TrainState state = read_state(dir);
  return SavedModel{std::move(*model), std::move(vocab), state};
}

template <typename T>
void load_dir_weights(const std::string& dir, const std::string& file, ParameterStore<T>& params) {
  require_file(dir, file);
  load_weights(dir_file(dir, file), params, LoadMode::kStrict);
}

template void load_dir_weights(const std::string&, const std::string&, ParameterStore<float>&);
template void load_dir_weights(const std::string&, const std::string&, ParameterStore<double>&);

}  // namespace twinflow::runtime
