#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "ops/registry.h"

int main(int argc, char** argv) {
  twinflow::ops::register_builtin_ops();
  doctest::Context context(argc, argv);
  return context.run();
}
