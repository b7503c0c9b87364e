// tests/testing/sequence_checks.h — checks shared by the recurrent ops' tests.
#pragma once

#include <cstdint>
#include <functional>

#include "tests/testing/op_check.h"

namespace twinflow::testing {

// Padding invariance of a masked recurrent op with inputs x [B, T, e], ids [B, T], weights...:
// make_case(T) must build the case for T steps with the same per-sample lengths (≤ short_t).
// The long case is the short one with padding appended (ids 0, large arbitrary x). Outputs must
// be equal (0 at padded steps of sequences), so must every weight gradient, and dx is 0 at
// padded steps. width is the output's last axis.
void check_padding_invariance(const std::function<OpCase(int64_t steps)>& make_case, int64_t batch,
                              int64_t short_t, int64_t long_t, int64_t e, int64_t width,
                              bool return_sequences);

}  // namespace twinflow::testing
