// The `twinflow` command line; the subcommands are in tools/cli/.
#include <iostream>
#include <string>
#include <vector>

#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return twinflow::cli::run_cli(args, std::cin, std::cout, std::cerr);
}
