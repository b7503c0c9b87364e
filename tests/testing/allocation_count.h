// tests/testing/allocation_count.h — how many heap allocations a piece of code makes.
//
// Counts every malloc, calloc, realloc and aligned allocation of the calling thread while
// `f` runs: operator new, std::vector and Eigen's temporaries all end in one of them. In a
// plain build the test program replaces those functions with ones that count and call
// glibc's own; under AddressSanitizer or ThreadSanitizer, which own the allocator, it
// installs the sanitizer's allocation hook instead.
#pragma once

#include <cstdint>
#include <functional>

namespace twinflow::testing {

int64_t allocations_during(const std::function<void()>& f);

}  // namespace twinflow::testing
