#include "tests/cli/run_cli.h"

#include <sstream>

#include "tools/cli/cli.h"

namespace twinflow::testing {

CliRun run_twinflow(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv{"twinflow"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::istringstream in(input);
  std::ostringstream out, err;
  CliRun run;
  run.status = cli::run_cli(argv, in, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

std::string source_path(const std::string& relative) {
  return std::string(TWINFLOW_SOURCE_DIR) + "/" + relative;
}

}  // namespace twinflow::testing
