// bench/allreduce_bench.cc — the time of one gradient sum over the processes of a run, by size:
// what data-parallel training pays per step (runtime/dist/communicator.h). Run it under mpirun:
//   mpirun --allow-run-as-root -np 2 build/twinflow_allreduce_bench
// Prints one JSON line per size: floats, bytes, median and best microseconds over the
// repetitions, and the bus bandwidth a ring allreduce reaches at the median
// (2 (N-1)/N · bytes / time), the figure docs/scaling.md projects from.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "runtime/dist/communicator.h"

namespace {

double microseconds_of_sum(twinflow::runtime::Communicator& processes, std::vector<float>& values) {
  processes.sum(std::span<float>(values.data(), 0));  // line the processes up first
  const auto started = std::chrono::steady_clock::now();
  processes.sum(std::span(values));
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
      .count();
}

}  // namespace

int main() {
  twinflow::runtime::Communicator& processes = twinflow::runtime::world();
  const int n = processes.size();
  // From a bias vector to the cosine Siamese network's whole gradient (2.06 M parameters).
  for (const int64_t floats : {1'000L, 10'000L, 100'000L, 1'000'000L, 2'060'000L}) {
    std::vector<float> values(static_cast<size_t>(floats), 1.0f);
    const int reps = floats >= 1'000'000 ? 30 : 200;
    for (int k = 0; k < 5; ++k) microseconds_of_sum(processes, values);
    std::vector<double> times;
    for (int k = 0; k < reps; ++k) times.push_back(microseconds_of_sum(processes, values));
    // Every process's own median; the slowest one's is what a step waits for.
    std::sort(times.begin(), times.end());
    std::vector<double> median{times[times.size() / 2]};
    processes.sum(std::span(median));
    const double us = median[0] / n;
    const double bytes = 4.0 * static_cast<double>(floats);
    if (processes.is_root())
      fmt::print(
          "{{\"processes\": {}, \"floats\": {}, \"bytes\": {:.0f}, \"median_us\": {:.1f}, "
          "\"best_us\": {:.1f}, \"bus_gb_per_s\": {:.2f}}}\n",
          n, floats, bytes, us, times.front(), n > 1 ? 2.0 * (n - 1) / n * bytes / us / 1e3 : 0.0);
  }
  return 0;
}
