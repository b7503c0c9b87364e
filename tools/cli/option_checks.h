// tools/cli/option_checks.h — checks of numeric options whose messages read well:
// "--epochs: 0 is not in [1, 1000000]" (CLI11's own ranges print a double's 309-digit bound).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>

namespace twinflow::cli {

// An integer in [lo, hi].
CLI::Validator int_range(int64_t lo, int64_t hi);

// A real number above 0 (and finite).
CLI::Validator above_zero();

// The sane upper bound of counts given on the command line (epochs, rows, batch sizes).
constexpr int64_t kMaxCount = 1'000'000;

}  // namespace twinflow::cli
