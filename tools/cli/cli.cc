#include "tools/cli/cli.h"

#include <fmt/format.h>

#include <exception>

#include "ops/registry.h"
#include "tools/cli/commands.h"
#include "twinflow_version.h"

namespace twinflow::cli {

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ops::register_builtin_ops();
  Io io{out, err, 0, args};
  CLI::App app{"twinflow: Siamese and triplet networks declared in YAML", "twinflow"};
  app.require_subcommand(1);
  app.set_version_flag(
      "--version", fmt::format("twinflow {} (commit {})", TWINFLOW_VERSION, TWINFLOW_GIT_COMMIT));
  add_check_command(app, io);
  add_gradcheck_command(app, io);
  add_train_command(app, io);
  add_eval_command(app, io);
  add_embed_command(app, io);
  add_similar_command(app, io);
  add_viz_command(app, io);

  // CLI11 parses argv-style arrays; keep the strings alive while it reads them.
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // A command's exception (a bad data row, a corrupt weights file) ends here: the user gets
    // its message and exit status 1, never an abort.
    err << "error: " << e.what() << "\n";
    return 1;
  }
  return io.status;
}

}  // namespace twinflow::cli
