// tools/cli/suggest_args.h — "did you mean" for a mistyped subcommand or option
// (`twinflow chek`, `train --epoch 3`), added to CLI11's own message.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace twinflow::cli {

// The hint for the first argument that names no subcommand of `app` or no option of the
// subcommand it follows, e.g. "did you mean 'check'?"; "" when every name is known or none is
// close. args: the command line without the program name.
std::string suggest_for_args(CLI::App& app, const std::vector<std::string>& args);

}  // namespace twinflow::cli
