#include "tools/cli/run_record.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/io/atomic_file.h"
#include "runtime/io/sha256.h"
#include "runtime/saved/model_dir.h"
#include "tools/cli/json.h"
#include "twinflow_version.h"

namespace twinflow::cli {

namespace {

// dir/run.json, or null when it is absent or unreadable.
json read_record(const std::string& dir) {
  std::ifstream in(runtime::dir_file(dir, "run.json"));
  if (!in) return nullptr;
  try {
    return json::parse(in);
  } catch (const json::exception&) {
    return nullptr;
  }
}

json metrics_object(const runtime::Metrics& metrics) {
  json j = json::object();
  for (const auto& [name, value] : metrics) j[name] = value;
  return j;
}

// The commands already recorded in dir/run.json (none when it is absent or unreadable).
std::vector<std::vector<std::string>> earlier_commands(const std::string& dir) {
  const json record = read_record(dir);
  try {
    return record.at("commands").get<std::vector<std::vector<std::string>>>();
  } catch (const json::exception&) {
    return {};
  }
}

}  // namespace

RunRecord start_record(const graph::ModelSpec& spec, const runtime::TrainOptions& options,
                       const std::string& dtype, const std::vector<std::string>& args) {
  RunRecord r;
  if (!options.resume_dir.empty()) r.commands = earlier_commands(options.resume_dir);
  r.commands.push_back(args);
  // A resumed run goes on with the seed it started with.
  r.seed = options.resume_dir.empty() ? static_cast<uint64_t>(spec.train.seed)
                                      : runtime::read_state(options.resume_dir).seed;
  r.dtype = dtype;
  const auto add = [&r](const std::string& role, const std::string& path) {
    if (!path.empty())
      r.files.emplace_back(role, std::filesystem::absolute(path).lexically_normal().string());
  };
  add("data", spec.train.data);
  add("val", spec.train.val);
  add("test", spec.train.test);
  add("vocab", options.vocab_file);
  add("init", options.init_weights);
  for (const graph::LayerSpec& layer : spec.layers)
    if (layer.pretrained) add("pretrained." + layer.name, layer.pretrained->file);
  // A file that cannot be read is the trainer's to report, with its own message.
  for (const auto& [role, path] : r.files)
    if (std::filesystem::is_regular_file(path))
      r.hashes.emplace_back(role, runtime::sha256_file_hex(path));
  return r;
}

void write_run_record(const std::string& dir, const RunRecord& record) {
  json files = json::object();
  for (const auto& [role, path] : record.files) {
    files[role] = {{"path", path}, {"sha256", nullptr}};
    for (const auto& [hashed, digest] : record.hashes)
      if (hashed == role) files[role]["sha256"] = digest;
  }
  json j = {{"twinflow", {{"version", TWINFLOW_VERSION}, {"commit", TWINFLOW_GIT_COMMIT}}},
            {"commands", record.commands},
            {"seed", record.seed},
            {"dtype", record.dtype},
            {"files", files},
            {"test", metrics_object(record.test)},
            {"thresholds", metrics_object(record.thresholds)}};
  if (!record.distance.empty()) j["distance"] = record.distance;
  runtime::write_file_atomically(runtime::dir_file(dir, "run.json"), j.dump(2) + "\n");
}

DecisionThreshold decision_threshold(const std::string& dir, const runtime::TrainState& state,
                                     const runtime::ModelRoles& roles) {
  if (roles.family != runtime::ModelFamily::kPair)
    return {std::nullopt, "none: the model ranks by the distance between tower vectors"};
  if (state.threshold)
    return {state.threshold,
            "the validation split's best-accuracy threshold, saved with the model"};
  const runtime::Metrics recorded = dir.empty() ? runtime::Metrics{} : recorded_thresholds(dir);
  for (const char* name : {"best_accuracy", "best_f1"})
    for (const auto& [key, value] : recorded)
      if (key == name)
        return {value, fmt::format("the validation split's {} threshold, from run.json",
                                   name == std::string("best_f1") ? "best-F1" : "best-accuracy")};
  if (roles.has_threshold) return {0.5, "the default: the run had no validation split"};
  return {std::nullopt,
          "none: the model's score is a distance and the run had no validation split"};
}

std::string DecisionThreshold::accuracy_label() const {
  return value ? fmt::format("accuracy at {:.4f} ({})", *value, source) : "";
}

runtime::Metrics recorded_thresholds(const std::string& dir) {
  const json record = read_record(dir);
  runtime::Metrics thresholds;
  if (!record.is_object() || !record.contains("thresholds")) return thresholds;
  for (const auto& [name, value] : record["thresholds"].items())
    if (value.is_number()) thresholds.emplace_back(name, value.get<double>());
  return thresholds;
}

}  // namespace twinflow::cli
