// tools/cli/commands.h — each subcommand adds itself to the app; its callback runs after the
// command line is parsed and leaves its exit status in `status`.
#pragma once

#include <CLI/CLI.hpp>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace twinflow::cli {

struct Io {
  std::istream& in;  // what `--corpus -` reads
  std::ostream& out;
  std::ostream& err;
  int status = 0;
  std::vector<std::string> args;  // the command line as given, program name first
};

void add_check_command(CLI::App& app, Io& io);
void add_gradcheck_command(CLI::App& app, Io& io);
void add_train_command(CLI::App& app, Io& io);
void add_eval_command(CLI::App& app, Io& io);
void add_embed_command(CLI::App& app, Io& io);
void add_similar_command(CLI::App& app, Io& io);
void add_predict_command(CLI::App& app, Io& io);
void add_viz_command(CLI::App& app, Io& io);
void add_ops_command(CLI::App& app, Io& io);
void add_plot_command(CLI::App& app, Io& io);
void add_export_command(CLI::App& app, Io& io);
void add_import_command(CLI::App& app, Io& io);
void add_pairs_command(CLI::App& app, Io& io);

}  // namespace twinflow::cli
