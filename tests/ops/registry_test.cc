// Walks the op registry: every registered op must have sample cases, and each case must
// pass the float64 finite-difference check (PyTorch's OpInfo idea: no op escapes testing).
#include <doctest/doctest.h>

#include "graph/ir/op_schema.h"
#include "tests/testing/op_check.h"

namespace twinflow::testing {
namespace {

TEST_SUITE("ops") {
  TEST_CASE("every registered op has gradient-check samples and passes them") {
    const auto names = graph::op_registry().names();
    REQUIRE(!names.empty());
    for (const std::string& name : names) {
      CAPTURE(name);
      std::vector<OpCase> cases;
      for (const auto& [op, make] : op_samples())
        if (op == name) {
          auto more = make();
          cases.insert(cases.end(), more.begin(), more.end());
        }
      CHECK_MESSAGE(!cases.empty(), "op ", name, " has no sample inputs for the gradient check");
      for (const OpCase& c : cases) {
        CAPTURE(c.label);
        CHECK(std::string(c.op->name) == name);
        const auto report = check_op(c, 1e-6);
        INFO(report.to_string());
        CHECK(report.passed());
      }
    }
  }
}

}  // namespace
}  // namespace twinflow::testing
