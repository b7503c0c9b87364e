// tests/testing/checks.h — doctest assertions shared by the op tests.
#pragma once

#include <doctest/doctest.h>

#include <vector>

namespace twinflow::testing {

// Element by element, to 1e-14 relative: for values worked out by hand.
inline void check_values(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-14));
  }
}

}  // namespace twinflow::testing
