#include "tools/cli/cli.h"

#include <fmt/format.h>

#include <exception>

#include "ops/registry.h"
#include "runtime/data/tsv_reader.h"
#include "tools/cli/commands.h"
#include "tools/cli/suggest_args.h"
#include "twinflow_version.h"

namespace twinflow::cli {

int run_cli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
            std::ostream& err) {
  ops::register_builtin_ops();
  Io io{in, out, err, 0, args};
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
  add_predict_command(app, io);
  add_viz_command(app, io);
  add_ops_command(app, io);
  add_plot_command(app, io);
  add_export_command(app, io);
  add_import_command(app, io);
  add_pairs_command(app, io);

  // CLI11 parses argv-style arrays; keep the strings alive while it reads them.
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    if (code == 0) return 0;
    const std::string hint =
        suggest_for_args(app, std::vector<std::string>(args.begin() + 1, args.end()));
    if (!hint.empty()) err << hint << "\n";
    return 2;
  } catch (const runtime::BadRowError& e) {
    err << "error: " << e.what() << "\n(--skip-bad-rows leaves such rows out and counts them)\n";
    return 1;
  } catch (const std::exception& e) {
    // A command's exception (a bad data row, a corrupt weights file) ends here: the user gets
    // its message and exit status 1, never an abort.
    err << "error: " << e.what() << "\n";
    return 1;
  }
  return io.status;
}

}  // namespace twinflow::cli
