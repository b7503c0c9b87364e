// twinflow_optimizer_bench — the cost of one optimizer step on the cosine Siamese network's
// parameters in float32 (embedding [20000, 100] = 2 M values, BiLSTM(50) on 100 inputs,
// Dense(1)), and what the fused Adam saved.
//
// Rows (median and min of --reps timed steps after --warmup):
//   adam.before         the earlier Adam: three Eigen statements, ~10 passes over memory
//   *.one_core          a rule of runtime/optim/optimizer.h on one core (ops::set_parallel_enabled
//                       off): one pass over memory
//   *.two_cores         the same with parameters of >= kSplitElements values split in two
//                       halves, one per core (the default)
// The one- and two-core steps alternate rep by rep, so that load from other processes falls
// on both alike. adam.clipnorm adds clipnorm 1 (one more read pass, for the norms).
// It also counts heap allocations during the timed steps (operator new is replaced here):
// after the first step an optimizer must allocate nothing.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "graph/ir/graph.h"
#include "ops/parallel.h"
#include "runtime/optim/optimizer.h"

namespace {

std::atomic<int64_t> g_allocations{0};

}  // namespace

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

using twinflow::graph::Shape;
using twinflow::runtime::ParameterStore;
using Clock = std::chrono::steady_clock;

// Parameters shaped like the Siamese network's; `embedding_rows` lets a store hold a part.
std::unique_ptr<twinflow::graph::Graph> siamese_params(int64_t embedding_rows, bool lstm = true) {
  auto g = std::make_unique<twinflow::graph::Graph>();
  g->add_parameter("emb.embeddings", Shape{embedding_rows, 100});
  if (lstm) {
    for (const char* dir : {"forward", "backward"}) {
      g->add_parameter(fmt::format("bilstm.{}.kernel", dir), Shape{100, 200});
      g->add_parameter(fmt::format("bilstm.{}.recurrent_kernel", dir), Shape{50, 200});
      g->add_parameter(fmt::format("bilstm.{}.bias", dir), Shape{200});
    }
    g->add_parameter("head.kernel", Shape{1, 1});
    g->add_parameter("head.bias", Shape{1});
  }
  return g;
}

void fill_gradients(ParameterStore<float>& store) {
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0.0f, 0.01f);
  for (auto& p : store.all())
    for (float& v : p.grad.data) v = normal(rng);
}

struct Timing {
  double median_ms, min_ms;
  int64_t allocations;
};

Timing summary(std::vector<double>& ms, int64_t allocations) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front(), allocations};
}

Timing time_steps(int warmup, int reps, const std::function<void()>& step) {
  for (int i = 0; i < warmup; ++i) step();
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(reps));
  const int64_t before = g_allocations.load();
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return summary(ms, g_allocations.load() - before);
}

// {one core, two cores}, the two alternating step by step.
std::pair<Timing, Timing> time_alternating(int warmup, int reps,
                                           const std::function<void()>& step) {
  for (int i = 0; i < warmup; ++i) step();
  std::vector<double> ms[2];
  ms[0].reserve(static_cast<size_t>(reps));
  ms[1].reserve(static_cast<size_t>(reps));
  const int64_t before = g_allocations.load();
  for (int i = 0; i < 2 * reps; ++i) {
    twinflow::ops::set_parallel_enabled(i % 2 == 1);
    const auto t0 = Clock::now();
    step();
    ms[i % 2].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  twinflow::ops::set_parallel_enabled(true);
  const int64_t allocations = g_allocations.load() - before;
  return {summary(ms[0], allocations), summary(ms[1], allocations)};
}

// The Adam of before this change, kept here as the baseline.
struct AdamBefore {
  std::vector<std::vector<float>> m, v;
  int64_t t = 0;
  void step(ParameterStore<float>& params) {
    using twinflow::ops::ConstVectorMap;
    using twinflow::ops::VectorMap;
    if (m.empty())
      for (auto& p : params.all()) {
        m.emplace_back(p.data.data.size());
        v.emplace_back(p.data.data.size());
      }
    ++t;
    const double td = static_cast<double>(t);
    const auto lr_t =
        static_cast<float>(1e-3 * std::sqrt(1.0 - std::pow(0.999, td)) / (1.0 - std::pow(0.9, td)));
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-7f;
    for (size_t k = 0; k < params.all().size(); ++k) {
      auto& p = params.all()[k];
      auto theta = VectorMap<float>(p.data.data.data(), p.data.size());
      auto g = ConstVectorMap<float>(p.grad.data.data(), p.grad.size());
      auto mk = VectorMap<float>(m[k].data(), p.data.size());
      auto vk = VectorMap<float>(v[k].data(), p.data.size());
      mk = b1 * mk + (1.0f - b1) * g;
      vk = b2 * vk + (1.0f - b2) * g.cwiseProduct(g);
      theta.array() -= lr_t * mk.array() / (vk.array().sqrt() + eps);
    }
  }
};

twinflow::graph::OptimizerSpec spec(const char* name) {
  twinflow::graph::OptimizerSpec s;
  s.name = name;
  s.momentum = 0.9;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 50;
  const int warmup = 5;
  auto graph = siamese_params(20000);
  ParameterStore<float> store(*graph, 42);
  fill_gradients(store);
  fmt::print("{} parameters (float32), {} reps after {} warm-up\n", store.count(true), reps,
             warmup);
  fmt::print("{:<20} {:>10} {:>10} {:>12}\n", "row", "median ms", "min ms", "allocations");
  auto report = [](const std::string& name, const Timing& t) {
    fmt::print("{:<20} {:>10.3f} {:>10.3f} {:>12}\n", name, t.median_ms, t.min_ms, t.allocations);
  };

  AdamBefore before;
  report("adam.before", time_steps(warmup, reps, [&] { before.step(store); }));
  struct Case {
    const char* row;
    const char* name;
    bool nesterov, centered, clip;
  };
  for (const Case& c : {Case{"adam", "adam", false, false, false},
                        Case{"adam.clipnorm", "adam", false, false, true},
                        Case{"sgd.momentum", "sgd", false, false, false},
                        Case{"sgd.nesterov", "sgd", true, false, false},
                        Case{"rmsprop", "rmsprop", false, false, false},
                        Case{"rmsprop.centered", "rmsprop", false, true, false},
                        Case{"adagrad", "adagrad", false, false, false}}) {
    twinflow::graph::OptimizerSpec s = spec(c.name);
    s.nesterov = c.nesterov;
    s.clipnorm = c.clip ? 1.0 : 0.0;
    s.centered = c.centered;
    auto optimizer = twinflow::runtime::make_optimizer<float>(s);
    const auto [one, two] = time_alternating(warmup, reps, [&] { optimizer->step(store); });
    report(fmt::format("{}.one_core", c.row), one);
    report(fmt::format("{}.two_cores", c.row), two);
  }
  return 0;
}
