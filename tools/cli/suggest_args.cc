#include "tools/cli/suggest_args.h"

#include <algorithm>

#include "graph/ir/suggest.h"

namespace twinflow::cli {

namespace {

std::vector<std::string> subcommand_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

std::vector<std::string> long_option_names(CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options())
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  return names;
}

std::string hint(const std::string& name, const std::vector<std::string>& candidates) {
  const std::optional<std::string> nearest = graph::nearest_name(name, candidates);
  return nearest ? "did you mean '" + *nearest + "'?" : "";
}

}  // namespace

std::string suggest_for_args(CLI::App& app, const std::vector<std::string>& args) {
  if (args.empty() || args[0].starts_with("-")) return "";
  CLI::App* command = nullptr;
  try {
    command = app.get_subcommand(args[0]);
  } catch (const CLI::OptionNotFound&) {
    return hint(args[0], subcommand_names(app));
  }
  const std::vector<std::string> options = long_option_names(*command);
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (!args[i].starts_with("--") || args[i].size() == 2) continue;
    const std::string name = args[i].substr(0, args[i].find('='));
    if (std::find(options.begin(), options.end(), name) != options.end()) continue;
    return hint(name, options);
  }
  return "";
}

}  // namespace twinflow::cli
