// tests/runtime/data_checks.h — catching the DataError a reader throws, to check its line.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "runtime/text/data_error.h"

namespace twinflow::testing {

// The DataError that f throws; fails the test when f throws nothing or something else.
template <typename F>
runtime::DataError data_error_of(F&& f) {
  try {
    f();
  } catch (const runtime::DataError& e) {
    return e;
  }
  FAIL("expected a DataError");
  return runtime::DataError("", 0, "");
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace twinflow::testing
