#include "ops/registry.h"

#include <mutex>

#include "graph/op_schema.h"
#include "ops/dense.h"
#include "ops/op_def.h"

namespace twinflow::ops {

void register_builtin_ops() {
  static std::once_flag once;
  std::call_once(once, [] {
    graph::OpRegistry& r = graph::op_registry();
    // layers
    r.add(op_def<Dense>());
  });
}

}  // namespace twinflow::ops
