// The command line as a script or a person meets it: hints for mistyped names, and `ops`.
#include <doctest/doctest.h>

#include <string>

#include "tests/cli/run_cli.h"

namespace twinflow::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_SUITE("cli.help") {
  TEST_CASE("a mistyped subcommand or option gets the nearest name") {
    const CliRun command = run_twinflow({"chek", "models/triplet.yaml"});
    CHECK(command.status == 2);
    CHECK(contains(command.err, "did you mean 'check'?"));

    const CliRun option = run_twinflow({"train", "models/triplet.yaml", "--epoch", "3"});
    CHECK(option.status == 2);
    CHECK(contains(option.err, "did you mean '--epochs'?"));

    const CliRun with_value = run_twinflow({"gradcheck", "--probs=3", "models/triplet.yaml"});
    CHECK(with_value.status == 2);
    CHECK(contains(with_value.err, "did you mean '--probes'?"));

    // Nothing near: CLI11's message alone.
    const CliRun far = run_twinflow({"frobnicate"});
    CHECK(far.status == 2);
    CHECK_FALSE(contains(far.err, "did you mean"));
  }

  TEST_CASE("ops lists every layer op, loss and Lambda function with its keys") {
    const CliRun run = run_twinflow({"ops"});
    REQUIRE(run.status == 0);
    CHECK(contains(run.out, "  Dense "));
    CHECK(contains(run.out, "units, activation, use_bias"));
    CHECK(contains(run.out, "  Bidirectional "));
    CHECK(contains(run.out, "  triplet_margin "));
    CHECK(contains(run.out, "pred, alpha"));
    CHECK(contains(run.out, "  contrastive "));
    CHECK(contains(run.out, "distance, target, margin"));
    CHECK(contains(run.out, "  cosine "));
    CHECK(contains(run.out, "exponent_neg_cosine_distance"));
  }
}

}  // namespace
}  // namespace twinflow::testing
