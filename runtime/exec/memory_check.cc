#include "runtime/exec/memory_check.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "graph/ir/errors.h"

namespace twinflow::runtime {

namespace {

std::optional<int64_t> elements_of(const graph::Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape.dims())
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) return std::nullopt;
  return n;
}

std::string gigabytes(int64_t bytes) {
  return fmt::format("{:.1f} GB", static_cast<double>(bytes) / 1e9);
}

}  // namespace

std::optional<int64_t> parameter_store_bytes(const graph::Graph& graph, int64_t scalar_bytes) {
  int64_t total = 0;
  for (graph::ValueId v : graph.parameters()) {
    const graph::Value& value = graph.value(v);
    const std::optional<int64_t> n = elements_of(value.shape);
    int64_t bytes = 0;
    if (!n || __builtin_mul_overflow(*n, scalar_bytes * (value.trainable ? 2 : 1), &bytes) ||
        __builtin_add_overflow(total, bytes, &total))
      return std::nullopt;
  }
  return total;
}

std::optional<int64_t> available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    std::istringstream fields(line);
    std::string key;
    int64_t kilobytes = 0;
    if (fields >> key >> kilobytes && key == "MemAvailable:") return kilobytes * 1024;
  }
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return std::nullopt;
  return static_cast<int64_t>(pages) * page_size;
}

void require_memory_for(const graph::Graph& graph, int64_t scalar_bytes) {
  const std::optional<int64_t> needed = parameter_store_bytes(graph, scalar_bytes);
  const std::optional<int64_t> available = available_memory_bytes();
  if (needed && (!available || *needed <= *available)) return;
  std::vector<graph::ValueId> params = graph.parameters();
  const auto size = [&](graph::ValueId v) {
    return elements_of(graph.value(v).shape).value_or(INT64_MAX);
  };
  std::sort(params.begin(), params.end(),
            [&](graph::ValueId a, graph::ValueId b) { return size(a) > size(b); });
  std::string largest;
  for (size_t i = 0; i < std::min<size_t>(params.size(), 3); ++i)
    largest += fmt::format("{}{} {}", i ? ", " : "", graph.value(params[i]).name,
                           graph.value(params[i]).shape.to_string());
  const std::string need =
      needed ? fmt::format("need {}", gigabytes(*needed)) : "need more bytes than int64 counts";
  throw graph::RuntimeInputError(fmt::format(
      "the model's parameters and their gradients {} ({}-byte numbers; the largest: {}), but "
      "this machine has {} available: make the model smaller (e.g. an Embedding's vocab)",
      need, scalar_bytes, largest, available ? gigabytes(*available) : "an unknown amount"));
}

}  // namespace twinflow::runtime
