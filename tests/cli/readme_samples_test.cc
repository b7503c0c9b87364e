// The README's command samples are the program's real output. A fenced block that follows
// `<!-- output of: twinflow ARGS -->` must match what `twinflow ARGS` prints (standard output,
// then standard error), run from the source tree; a line "..." in the block stands for any
// number of lines left out. Training's sample is not among them: its epoch times differ from
// run to run and it takes half a minute.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/run_cli.h"
#include "tests/testing/in_directory.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {
namespace {

struct Sample {
  int line = 0;  // of the marker in README.md
  std::vector<std::string> args;
  std::vector<std::string> expected;
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::vector<Sample> readme_samples() {
  const std::string marker = "<!-- output of: twinflow ";
  const std::vector<std::string> lines = split_lines(read_all(source_path("README.md")));
  std::vector<Sample> samples;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with(marker)) continue;
    Sample sample;
    sample.line = static_cast<int>(i) + 1;
    std::istringstream args(lines[i].substr(marker.size(), lines[i].rfind("-->") - marker.size()));
    for (std::string arg; args >> arg;) sample.args.push_back(arg);
    size_t j = i + 1;
    REQUIRE_MESSAGE(j < lines.size(), "README.md:", sample.line, ": no block after the marker");
    REQUIRE_MESSAGE(lines[j].starts_with("```"), "README.md:", sample.line,
                    ": the marker must be followed by a fenced block");
    for (++j; j < lines.size() && !lines[j].starts_with("```"); ++j)
      sample.expected.push_back(lines[j]);
    samples.push_back(sample);
  }
  return samples;
}

// Whether `expected` (with "..." for any run of lines) matches `actual` from its first line
// to its last. Returns the first expected line that could not be matched, or -1.
int first_mismatch(const std::vector<std::string>& expected,
                   const std::vector<std::string>& actual) {
  size_t a = 0;
  bool skipping = false;
  for (size_t e = 0; e < expected.size(); ++e) {
    if (expected[e] == "...") {
      skipping = true;
      continue;
    }
    while (skipping && a < actual.size() && actual[a] != expected[e]) ++a;
    if (a >= actual.size() || actual[a] != expected[e]) return static_cast<int>(e);
    ++a;
    skipping = false;
  }
  return skipping || a == actual.size() ? -1 : static_cast<int>(expected.size());
}

// Runs the command line from the source tree, so paths print as the README writes them.
CliRun run_in_source_tree(const std::vector<std::string>& args) {
  const InDirectory here(source_path(""));
  return run_twinflow(args);
}

TEST_SUITE("cli.readme") {
  TEST_CASE("the README's command samples are what the commands print") {
    const std::vector<Sample> samples = readme_samples();
    CHECK(samples.size() >= 2);
    for (const Sample& sample : samples) {
      CAPTURE(sample.line);
      const CliRun run = run_in_source_tree(sample.args);
      const std::vector<std::string> actual = split_lines(run.out + run.err);
      const int at = first_mismatch(sample.expected, actual);
      INFO("README.md:", sample.line, " expected line ", at + 1, " of the block; printed:\n",
           run.out, run.err);
      CHECK(at == -1);
    }
  }

  TEST_CASE("a sample's elided lines match any run, and only from the first line to the last") {
    const std::vector<std::string> actual = {"a", "b", "c", "d"};
    CHECK(first_mismatch({"a", "...", "d"}, actual) == -1);
    CHECK(first_mismatch({"a", "b", "c", "d"}, actual) == -1);
    CHECK(first_mismatch({"...", "c", "d"}, actual) == -1);
    CHECK(first_mismatch({"a", "..."}, actual) == -1);
    CHECK(first_mismatch({"a", "c"}, actual) == 1);       // a line left out without "..."
    CHECK(first_mismatch({"a", "b", "c"}, actual) == 3);  // output goes on past the block
    CHECK(first_mismatch({"a", "...", "x"}, actual) == 2);
  }
}

}  // namespace
}  // namespace twinflow::testing
