// `twinflow plot DIR [-o FILE]`: the training curves of a saved run, from DIR/log.jsonl (one
// JSON object per epoch, runtime/saved/model_dir.h), drawn by tools/viz/curves.h. The format
// comes from FILE's extension: .png (the default, DIR/curves.png), .svg or .dot.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph/spec/spec.h"
#include "runtime/io/atomic_file.h"
#include "runtime/saved/model_dir.h"
#include "runtime/text/line_reader.h"
#include "tools/cli/commands.h"
#include "tools/cli/json.h"
#include "tools/cli/option_checks.h"
#include "tools/viz/curves.h"
#include "tools/viz/graphviz_render.h"

namespace twinflow::cli {

namespace {

// log.jsonl is missing, damaged or empty: the message names the file (and line).
class LogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PlotOptions {
  std::string dir;
  std::string output;  // "" for DIR/curves.png
};

viz::EpochRecord parse_line(const std::string& line, const std::string& where) {
  json j;
  try {
    j = json::parse(line);
  } catch (const json::parse_error& e) {
    throw LogError(fmt::format("{}: not a JSON object: {}", where, e.what()));
  }
  if (!j.is_object()) throw LogError(fmt::format("{}: not a JSON object: {}", where, line));
  if (!j.contains("epoch") || !j["epoch"].is_number_integer() || j["epoch"].get<int64_t>() < 1)
    throw LogError(fmt::format("{}: no \"epoch\" (a whole number from 1)", where));
  viz::EpochRecord r;
  r.epoch = j["epoch"].get<int64_t>();
  for (const auto& [key, value] : j.items()) {
    if (key == "epoch") continue;
    if (value.is_null())  // the trainer writes a non-finite number as null
      r.values.emplace_back(key, std::numeric_limits<double>::quiet_NaN());
    else if (value.is_number())
      r.values.emplace_back(key, value.get<double>());
    else
      throw LogError(fmt::format("{}: \"{}\" is {}, not a number", where, key, value.dump()));
  }
  return r;
}

// Every epoch of DIR/log.jsonl, in order; blank lines are skipped but counted (LineReader numbers
// lines as editors do).
std::vector<viz::EpochRecord> read_log(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "log.jsonl").string();
  std::ifstream in(path);
  if (!in)
    throw LogError(fmt::format(
        "{}: cannot be read (twinflow train --out DIR writes it, one line per epoch)", path));
  runtime::LineReader reader(in, path);
  std::vector<viz::EpochRecord> log;
  std::string line;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", path, reader.line_number());
    log.push_back(parse_line(line, where));
    if (log.size() > 1 && log.back().epoch <= log[log.size() - 2].epoch)
      throw LogError(fmt::format("{}: epoch {} after epoch {}", where, log.back().epoch,
                                 log[log.size() - 2].epoch));
  }
  if (log.empty())
    throw LogError(fmt::format("{}: no epochs (the run ended before its first epoch did)", path));
  return log;
}

// The model's name from DIR/spec.yaml; the directory's name when that cannot be read.
std::string model_name(const std::string& dir) {
  graph::Diagnostics diags;
  const auto spec =
      graph::parse_spec_file((std::filesystem::path(dir) / "spec.yaml").string(), diags);
  if (spec && !spec->name.empty()) return spec->name;
  return std::filesystem::path(dir).lexically_normal().filename().string();
}

// The best epoch as DIR/state.json and DIR/spec.yaml say the run picked and kept it; by the
// default monitor when they cannot be read (a log copied on its own).
viz::KeptEpoch kept_epoch(const std::string& dir, const std::vector<viz::EpochRecord>& log) {
  try {
    const runtime::TrainState state = runtime::read_state(dir);
    graph::Diagnostics diags;
    const auto spec =
        graph::parse_spec_file((std::filesystem::path(dir) / "spec.yaml").string(), diags);
    return {.epoch = state.best_epoch,
            .metric = state.monitor,
            .weights_kept = !spec || spec->train.keep == "best"};
  } catch (const runtime::ModelDirError&) {
    return viz::best_epoch(log);
  }
}

int run(const PlotOptions& o, Io& io) {
  const std::vector<viz::EpochRecord> log = read_log(o.dir);
  const std::string output =
      o.output.empty() ? (std::filesystem::path(o.dir) / "curves.png").string() : o.output;
  const viz::KeptEpoch best = kept_epoch(o.dir, log);
  const std::string dot = viz::curves_dot(model_name(o.dir), log, best);
  const std::string format = extension_of(output);
  std::string bytes;
  if (format == ".dot") {
    viz::parse_dot(dot);  // never hand out a file Graphviz cannot read
    bytes = dot;
  } else {
    bytes = viz::render(dot, format.substr(1), viz::kCurvesEngine);
  }
  runtime::write_file_atomically(output, std::string_view(bytes));
  const std::vector<std::string> panels = viz::panel_quantities(log);
  io.out << fmt::format("{}: {} epochs, panels {}{}\n", output, log.size(), fmt::join(panels, ", "),
                        best.epoch > 0 ? fmt::format(", best epoch {}", best.epoch) : "");
  return 0;
}

}  // namespace

void add_plot_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<PlotOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plot", "Draw the training curves of a saved run (its log.jsonl): loss and metrics");
  cmd->add_option("dir", o->dir, "Saved model directory (twinflow train --out)")->required();
  cmd->add_option("-o,--output", o->output,
                  "Picture to write: .png, .svg or .dot (default: DIR/curves.png)")
      ->check(extension_in({".png", ".svg", ".dot"}));
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli
