// runtime/exec/memory_check.h — refuses a model whose parameters cannot fit in this machine's
// memory before any of it is allocated (an Embedding of vocab 1,000,000,000 asks for 400 GB in
// float32). Linux hands out more address space than it has, so without this check such a run
// is not refused but killed, later, by the out-of-memory killer.
#pragma once

#include <cstdint>
#include <optional>

#include "graph/ir/graph.h"

namespace twinflow::runtime {

// The bytes a ParameterStore of `graph` holds with scalars of `scalar_bytes`: every
// parameter's values, and a gradient for each trainable one. Nothing when it overflows int64.
std::optional<int64_t> parameter_store_bytes(const graph::Graph& graph, int64_t scalar_bytes);

// MemAvailable of /proc/meminfo, or physical memory where that cannot be read; nothing when
// neither can be known.
std::optional<int64_t> available_memory_bytes();

// Throws graph::RuntimeInputError naming the largest parameters, the bytes needed and the bytes
// available when the store would not fit (or its size overflows).
void require_memory_for(const graph::Graph& graph, int64_t scalar_bytes);

}  // namespace twinflow::runtime
