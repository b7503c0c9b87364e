// tests/cli/run_cli.h — runs the `twinflow` command line in-process and keeps what it printed.
#pragma once

#include <string>
#include <vector>

namespace twinflow::testing {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

// args without the program name: {"check", "models/triplet.yaml"}; `input` is what the
// command reads from its standard input.
CliRun run_twinflow(const std::vector<std::string>& args, const std::string& input = "");

// A path inside the source tree ("models/triplet.yaml" -> "/.../models/triplet.yaml").
std::string source_path(const std::string& relative);

}  // namespace twinflow::testing
