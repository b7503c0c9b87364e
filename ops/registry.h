// ops/registry.h — the one list of built-in ops.
#pragma once

namespace twinflow::ops {

// Adds every built-in op to graph::op_registry(). Idempotent; call it before looking ops up
// by name (the spec loader and the CLI do).
void register_builtin_ops();

}  // namespace twinflow::ops
