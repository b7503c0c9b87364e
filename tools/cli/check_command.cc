// `twinflow check SPEC.yaml...`: validates each spec and prints its summary and sharing report.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "graph/model/summary.h"
#include "tools/cli/check_json.h"
#include "tools/cli/commands.h"
#include "tools/cli/load_model.h"

namespace twinflow::cli {

namespace {

struct CheckOptions {
  std::vector<std::string> specs;
  bool print_defaults = false;
  bool json = false;
};

int check_one(const std::string& path, const CheckOptions& options, Io& io) {
  std::optional<graph::Model> model = load_model(path, io.err);
  if (!model) return 1;
  if (options.print_defaults) {
    io.out << graph::emit_spec(model->spec);
    return 0;
  }
  io.out << graph::model_summary(*model) << "\n"
         << graph::sharing_report(*model) << graph::stacking_summary(*model);
  io.out << fmt::format("{}: OK\n", path);
  return 0;
}

// One JSON document on stdout for all the specs; nothing on stderr.
int check_all_as_json(const CheckOptions& options, Io& io) {
  nlohmann::ordered_json specs = nlohmann::ordered_json::array();
  bool ok = true;
  for (const std::string& path : options.specs) {
    specs.push_back(check_json(path, load_model_quietly(path)));
    ok = ok && specs.back()["ok"].get<bool>();
  }
  io.out << nlohmann::ordered_json{{"ok", ok}, {"specs", specs}}.dump(2) << "\n";
  return ok ? 0 : 1;
}

}  // namespace

void add_check_command(CLI::App& app, Io& io) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Validate model specs and print each model's summary and parameter sharing");
  cmd->add_option("spec", options->specs, "Model spec files (YAML)")->required();
  CLI::Option* print_defaults =
      cmd->add_flag("--print-defaults", options->print_defaults,
                    "Print the spec back as YAML with every default written out");
  cmd->add_flag("--json", options->json,
                "Print one JSON document: each spec's diagnostics, shapes, layers and totals")
      ->excludes(print_defaults);
  cmd->callback([options, &io] {
    if (options->json) {
      io.status = check_all_as_json(*options, io);
      return;
    }
    for (size_t i = 0; i < options->specs.size(); ++i) {
      if (i > 0) io.out << (options->print_defaults ? "---\n" : "\n");
      if (check_one(options->specs[i], *options, io) != 0) io.status = 1;
    }
  });
}

}  // namespace twinflow::cli
