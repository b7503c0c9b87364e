// tools/cli/option_checks.h — checks of numeric options whose messages read well:
// "--epochs: 0 is not in [1, 1000000]" (CLI11's own ranges print a double's 309-digit bound).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace twinflow::cli {

// An integer in [lo, hi].
CLI::Validator int_range(int64_t lo, int64_t hi);

// A real number above 0 (and finite).
CLI::Validator above_zero();

// The extension of a path, with its dot (".png"): what viz and plot write is chosen by it.
std::string extension_of(const std::string& path);

// A path whose extension is one of `extensions` (".png", ...), which the message lists:
// "'x.jpg': the format comes from the extension, one of .png, .svg, .dot (found '.jpg')".
CLI::Validator extension_in(std::vector<std::string> extensions);

// The sane upper bound of counts given on the command line (epochs, rows, batch sizes).
constexpr int64_t kMaxCount = 1'000'000;

}  // namespace twinflow::cli
