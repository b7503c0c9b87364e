#include "tools/cli/option_checks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <string>
#include <system_error>

namespace twinflow::cli {

CLI::Validator int_range(int64_t lo, int64_t hi) {
  return CLI::Validator(
      [lo, hi](const std::string& input) -> std::string {
        int64_t value = 0;
        const char* end = input.data() + input.size();
        const auto [at, ec] = std::from_chars(input.data(), end, value);
        if (ec != std::errc() || at != end || value < lo || value > hi)
          return fmt::format("{} is not {}in [{}, {}]", input,
                             ec == std::errc() && at == end ? "" : "an integer ", lo, hi);
        return {};
      },
      fmt::format("INT in [{}, {}]", lo, hi));
}

CLI::Validator above_zero() {
  return CLI::Validator(
      [](const std::string& input) -> std::string {
        size_t used = 0;
        double value = 0.0;
        try {
          value = std::stod(input, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != input.size() || !std::isfinite(value) || value <= 0.0)
          return fmt::format("{} is not a number above 0", input);
        return {};
      },
      "NUMBER > 0");
}

std::string extension_of(const std::string& path) {
  return std::filesystem::path(path).extension().string();
}

CLI::Validator extension_in(std::vector<std::string> extensions) {
  std::string names;
  for (const std::string& e : extensions) names += (names.empty() ? "" : ",") + e.substr(1);
  return CLI::Validator(
      [extensions](const std::string& path) -> std::string {
        const std::string ext = extension_of(path);
        if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end()) return {};
        return fmt::format("'{}': the format comes from the extension, one of {} (found '{}')",
                           path, fmt::join(extensions, ", "), ext);
      },
      fmt::format("FILE.{{{}}}", names));
}

}  // namespace twinflow::cli
