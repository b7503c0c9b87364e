// Every file in tests/specs/bad/ is a spec with a mistake a user makes. Its header says what
// `twinflow check` must answer:
//
//   # exit: 1                                     (the default)
//   # expect: 14:11 unknown key | did you mean 'units'
//
// Each `expect` line is one diagnostic: `line:column` (the message must start with
// "<file>:line:column: ") followed by words that must all appear on that same line of output,
// separated by '|'. A spec may expect several diagnostics (they are reported in one pass).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/run_cli.h"

namespace twinflow::testing {
namespace {

struct Expectation {
  std::string position;  // "14:11"
  std::vector<std::string> words;
};

struct BadSpec {
  std::string path;
  int exit = 1;
  std::vector<Expectation> expected;
};

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(' ');
  const auto last = s.find_last_not_of(' ');
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

BadSpec read_header(const std::string& path) {
  BadSpec spec;
  spec.path = path;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line) && line.rfind('#', 0) == 0) {
    if (line.rfind("# exit:", 0) == 0) spec.exit = std::stoi(line.substr(7));
    if (line.rfind("# expect:", 0) != 0) continue;
    std::istringstream rest(line.substr(9));
    Expectation e;
    rest >> e.position;
    std::string words;
    std::getline(rest, words);
    std::istringstream parts(words);
    for (std::string w; std::getline(parts, w, '|');)
      if (!trim(w).empty()) e.words.push_back(trim(w));
    spec.expected.push_back(e);
  }
  return spec;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<BadSpec> bad_specs() {
  std::vector<BadSpec> specs;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("tests/specs/bad")))
    if (entry.path().extension() == ".yaml") specs.push_back(read_header(entry.path().string()));
  std::sort(specs.begin(), specs.end(),
            [](const BadSpec& a, const BadSpec& b) { return a.path < b.path; });
  return specs;
}

TEST_SUITE("cli.check") {
  TEST_CASE("each malformed spec gets its diagnostics at the right line and column") {
    const std::vector<BadSpec> specs = bad_specs();
    CHECK(specs.size() >= 30);
    for (const BadSpec& spec : specs) {
      CAPTURE(spec.path);
      REQUIRE_MESSAGE(!spec.expected.empty(), "a bad spec must say what it expects");
      const CliRun run = run_twinflow({"check", spec.path});
      CAPTURE(run.err);
      CHECK(run.status == spec.exit);
      const std::vector<std::string> lines = lines_of(run.err);
      for (const Expectation& e : spec.expected) {
        CAPTURE(e.position);
        const std::string prefix = spec.path + ":" + e.position + ": ";
        const auto match = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) {
          if (l.rfind(prefix, 0) != 0) return false;
          return std::all_of(e.words.begin(), e.words.end(),
                             [&](const std::string& w) { return l.find(w) != std::string::npos; });
        });
        CHECK_MESSAGE(match != lines.end(), "no diagnostic at " << e.position << " with the words");
      }
      if (spec.exit != 0) CHECK(run.out.find("OK") == std::string::npos);
    }
  }
}

}  // namespace
}  // namespace twinflow::testing
