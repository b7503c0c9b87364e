// `twinflow gradcheck`: what it announces is what it checks, and a model with nothing to
// train is nothing to check, not a failure.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <string_view>

#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::testing {
namespace {

constexpr std::string_view kFrozenSpec = R"yaml(model: frozen
inputs:
  x: {shape: [3], dtype: float32}
layers:
  head: {op: Dense, units: 2, trainable: false}
graph:
  y: head(x)
outputs: [y]
)yaml";

// The number after "probing " in what gradcheck announced.
int64_t announced(const std::string& err) {
  const size_t at = err.find("probing ");
  REQUIRE(at != std::string::npos);
  return std::stoll(err.substr(at + 8));
}

// The sum of the table's probes column (the number after the shape), over the rows below its
// heading.
int64_t probes_in_table(const std::string& out) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line) && line.rfind("parameter", 0) != 0) {
  }
  int64_t total = 0;
  while (std::getline(lines, line) && line.rfind("worst error", 0) != 0) {
    const size_t shape_end = line.find(']');
    REQUIRE_MESSAGE(shape_end != std::string::npos, line);
    total += std::stoll(line.substr(shape_end + 1));
  }
  return total;
}

TEST_SUITE("cli.gradcheck") {
  TEST_CASE("the probes announced are the probes made and shown") {
    // triplet.yaml has [64] biases, which 20 probes do not divide evenly.
    const CliRun run = run_twinflow({"gradcheck", source_path("models/triplet.yaml"), "--probes",
                                     "20", "--vocab", "6", "--seqlen", "3"});
    CAPTURE(run.out);
    CAPTURE(run.err);
    REQUIRE(run.status == 0);
    CHECK(announced(run.err) == probes_in_table(run.out));
    // 11 parameters (an Embedding, two LSTM directions of 3, two Dense of 2), all larger.
    CHECK(announced(run.err) == 11 * 20);
  }

  TEST_CASE("a model with no trainable parameter has nothing to check and exits 0") {
    TempDir tmp;
    const CliRun run = run_twinflow({"gradcheck", tmp.write("frozen.yaml", kFrozenSpec)});
    CAPTURE(run.out);
    CAPTURE(run.err);
    CHECK(run.status == 0);
    CHECK(run.out.find("no trainable parameters, nothing to check") != std::string::npos);
    CHECK(run.out.find("FAIL") == std::string::npos);
    CHECK(run.out.find("worst") == std::string::npos);
  }

  TEST_CASE("the table shows each parameter's gradient size beside its error") {
    const CliRun run =
        run_twinflow({"gradcheck", source_path("models/manhattan_siamese.yaml"), "--probes", "10"});
    CAPTURE(run.out);
    REQUIRE(run.status == 0);
    CHECK(run.out.find("largest |g|") != std::string::npos);
    CHECK(run.out.find("|g| there") != std::string::npos);
    CHECK(run.out.find("finite-difference noise") != std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::testing
