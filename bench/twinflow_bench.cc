// twinflow_bench — the throughput of one network at one shape, in float32, as one JSON line
// (bench/torch_bench.py prints the same line for PyTorch; bench/compare.sh runs both).
//
//   --net cosine    the cosine Siamese network (runtime/exec/reference_models.h), final states
//   --net triplet   the concatenated triplet network (hidden 64, embedding 64, alpha 0.4)
//   --mode train    zero_grad + forward (training) + backward + the optimizer step
//   --optimizer     adam (default: dense Adam over every parameter, as bench/torch_bench.py),
//                   or any other of the spec's names with its defaults and lr 1e-3: sgd and
//                   adagrad update only the embedding rows the batch used, as does lazy_adam
//   --mode infer    the whole network's forward, training = false
//   --mode embed    one tower's forward (Embedding → BiLSTM [→ Dense → Dense]) on B texts
//   --mode gemm     the LSTM's GEMMs alone at its shapes (bench/gemm_mix.h): the practical limit
// Shapes: vocab 20000, embed 100, BiLSTM(50) concat, dropout 0. Ids are random in [1, vocab);
// `--lengths full` gives every sequence T tokens, `random` lengths in [T/3, T] from splitmix64
// (bench/torch_bench.py draws the same ones) and post-padding (id 0), masked.
// A sample is a pair (cosine), a triplet (triplet) or a text (embed).
//
// LSTM flops count the GEMMs over real (sample, step) pairs: per direction, forward
// 2·N·E·4H + 2·N·H·4H; backward twice the forward. lstm_gflops = those flops / the step's median
// time, so it is the LSTM's rate as a share of the whole step, not of the LSTM alone.
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/gemm_mix.h"
#include "graph/spec/fields.h"
#include "ops/parallel.h"
#include "ops/registry.h"
#include "runtime/exec/executor.h"
#include "runtime/exec/reference_models.h"
#include "runtime/optim/optimizer.h"

namespace {

using twinflow::graph::Shape;
using twinflow::ops::IdTensor;
using twinflow::ops::Tensor;
using Clock = std::chrono::steady_clock;

constexpr int64_t kVocab = 20000;
constexpr int64_t kEmbed = 100;
constexpr int64_t kUnits = 50;

struct Options {
  std::string net = "cosine";
  std::string mode = "train";
  std::string lengths = "full";
  std::string optimizer = "adam";
  std::string stack = "off";
  int64_t batch = 64;
  int64_t seqlen = 30;
  int threads = 2;
  int steps = 20;
  int warmup = 3;
  double seconds = 0;  // timed steps continue until both `steps` and this are reached
};

// Per timed step, in ms: the whole step and its phases (optimizer = zero_grad + its step).
struct Timings {
  std::vector<double> step, fwd, bwd, opt;
};

struct PhaseMs {
  double fwd = 0, bwd = 0, opt = 0;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Runs `step` warmup times, then until it has run `steps` times and for `seconds`.
Timings run_steps(const Options& o, const std::function<PhaseMs()>& step) {
  for (int i = 0; i < o.warmup; ++i) step();
  Timings t;
  const auto start = Clock::now();
  while (static_cast<int>(t.step.size()) < o.steps ||
         ms_between(start, Clock::now()) < 1e3 * o.seconds) {
    const auto t0 = Clock::now();
    const PhaseMs p = step();
    t.step.push_back(ms_between(t0, Clock::now()));
    t.fwd.push_back(p.fwd);
    t.bwd.push_back(p.bwd);
    t.opt.push_back(p.opt);
  }
  return t;
}

// Lengths in [T/3, T] from splitmix64, which bench/torch_bench.py repeats, so both frameworks
// see the same lengths (masked work depends on them; the ids themselves do not).
std::vector<int64_t> random_lengths(int64_t batch, int64_t seqlen, uint64_t& state) {
  const int64_t shortest = seqlen / 3;
  std::vector<int64_t> lengths(static_cast<size_t>(batch));
  for (int64_t& n : lengths) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    n = shortest + static_cast<int64_t>(z % static_cast<uint64_t>(seqlen - shortest + 1));
  }
  return lengths;
}

// Random ids in [1, vocab) for each sequence's length, then padding (0).
IdTensor random_ids(const Options& o, uint64_t& lengths_state, std::mt19937_64& rng) {
  const std::vector<int64_t> lengths =
      o.lengths == "full" ? std::vector<int64_t>(static_cast<size_t>(o.batch), o.seqlen)
                          : random_lengths(o.batch, o.seqlen, lengths_state);
  IdTensor ids(Shape{o.batch, o.seqlen});
  std::uniform_int_distribution<int32_t> token(1, static_cast<int32_t>(kVocab - 1));
  for (int64_t b = 0; b < o.batch; ++b)
    for (int64_t t = 0; t < lengths[static_cast<size_t>(b)]; ++t)
      ids.data[static_cast<size_t>(b * o.seqlen + t)] = token(rng);
  return ids;
}

twinflow::runtime::ReferenceModel build_model(const Options& o) {
  namespace rt = twinflow::runtime;
  if (o.net == "cosine") {
    const rt::SiameseConfig c{kVocab, kEmbed, o.seqlen, kUnits, 0.0, 0.0};
    return o.mode == "embed" ? rt::cosine_siamese_tower(c) : rt::cosine_siamese(c);
  }
  rt::TripletConfig c;
  c.vocab = kVocab;
  c.embed_dim = kEmbed;
  c.seq_len = o.seqlen;
  c.units = kUnits;
  c.hidden = 64;
  c.embedding = 64;
  c.alpha = 0.4;
  return o.mode == "embed" ? rt::concatenated_triplet_tower(c) : rt::concatenated_triplet(c);
}

// One network fed with one fixed batch.
struct Network {
  twinflow::runtime::ReferenceModel model;
  twinflow::runtime::ParameterStore<float> params;
  twinflow::runtime::Executor<float> exec;
  std::deque<IdTensor> ids;  // one per text input, at stable addresses
  Tensor<float> label;
  int64_t real_tokens = 0;  // over every text input

  explicit Network(const Options& o)
      : model(build_model(o)),
        params(*model.graph, 42),
        exec(*model.graph, params,
             o.stack == "shared" ? twinflow::runtime::Stacking::kShared
                                 : twinflow::runtime::Stacking::kOff) {
    std::mt19937_64 rng(2024);
    uint64_t lengths_state = 2024;
    for (const std::string& name : model.id_inputs) {
      const IdTensor& t = ids.emplace_back(random_ids(o, lengths_state, rng));
      real_tokens +=
          std::count_if(t.data.begin(), t.data.end(), [](int32_t id) { return id != 0; });
      exec.feed_ids(name, &t);
    }
    if (o.net == "cosine" && o.mode != "embed") {
      label = Tensor<float>(Shape{o.batch, 1});
      std::bernoulli_distribution coin(0.5);
      for (float& y : label.data) y = coin(rng) ? 1.0f : 0.0f;
      exec.feed("label", &label);
    }
  }
};

void check_finite(const Tensor<float>& t, const char* what) {
  for (float v : t.data)
    if (!std::isfinite(v)) throw std::runtime_error(fmt::format("the {} holds {}", what, v));
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t start = line.find_first_not_of(" \t", line.find(':') + 1);
    return start == std::string::npos ? "unknown" : line.substr(start);
  }
  return "unknown";
}

nlohmann::ordered_json header(const Options& o) {
  nlohmann::ordered_json j;
  j["impl"] = "twinflow";
  j["net"] = o.net;
  j["mode"] = o.mode;
  j["batch"] = o.batch;
  j["seqlen"] = o.seqlen;
  j["lengths"] = o.lengths;
  j["threads"] = o.threads;
  j["stack"] = o.stack;
  if (o.mode == "train") j["optimizer"] = o.optimizer;
  return j;
}

void add_footer(nlohmann::ordered_json& j) {
  j["peak_rss_mb"] = std::round(peak_rss_mb() * 10) / 10;
  j["cpu"] = cpu_model();
}

nlohmann::ordered_json bench_network(const Options& o) {
  Network n(o);
  const bool train = o.mode == "train";
  twinflow::graph::OptimizerSpec spec = twinflow::graph::default_optimizer(o.optimizer);
  spec.lr = 1e-3;
  const auto optimizer = twinflow::runtime::make_optimizer<float>(spec);
  uint64_t seed = 1;
  const Timings t = run_steps(o, [&] {
    PhaseMs p;
    const auto t0 = Clock::now();
    if (train) n.params.zero_grad();
    const auto t1 = Clock::now();
    n.exec.forward(train, seed++);
    const auto t2 = Clock::now();
    if (!train) {
      p.fwd = ms_between(t1, t2);
      return p;
    }
    n.exec.backward(n.model.loss);
    const auto t3 = Clock::now();
    optimizer->step(n.params);
    const auto t4 = Clock::now();
    p = {ms_between(t1, t2), ms_between(t2, t3), ms_between(t0, t1) + ms_between(t3, t4)};
    return p;
  });
  check_finite(n.exec.value(n.model.loss >= 0 ? n.model.loss : n.model.output), "result");

  const double step_ms = median(t.step);
  const double flops =
      2 * twinflow::bench::lstm_forward_flops({o.batch, o.seqlen, kEmbed, kUnits}, n.real_tokens) *
      (train ? 3 : 1);
  nlohmann::ordered_json j = header(o);
  j["steps"] = t.step.size();
  j["samples_per_s"] = static_cast<double>(o.batch) / (step_ms / 1e3);
  j["ms_per_step"] = step_ms;
  j["fwd_ms"] = median(t.fwd);
  j["bwd_ms"] = median(t.bwd);
  j["opt_ms"] = median(t.opt);
  j["lstm_gflops"] = flops / (step_ms * 1e6);
  j["real_tokens"] = n.real_tokens;
  add_footer(j);
  return j;
}

// Both directions' GEMMs, on two cores when threads = 2, as Bidirectional runs them.
nlohmann::ordered_json bench_gemm(const Options& o) {
  const twinflow::bench::LstmShapes shapes{o.batch, o.seqlen, kEmbed, kUnits};
  twinflow::bench::GemmMix forward_dir(shapes), backward_dir(shapes);
  auto time_mix = [&](bool train) {
    return median(run_steps(o, [&] {
                    twinflow::ops::run_pair(
                        [&] {
                          forward_dir.forward();
                          if (train) forward_dir.backward();
                        },
                        [&] {
                          backward_dir.forward();
                          if (train) backward_dir.backward();
                        });
                    return PhaseMs{};
                  }).step);
  };
  const double fwd_flops = 2 * twinflow::bench::lstm_forward_flops(shapes, o.batch * o.seqlen);
  const double train_ms = time_mix(true), fwd_ms = time_mix(false);
  nlohmann::ordered_json j = header(o);
  j["net"] = "lstm";
  j["ms_per_step"] = train_ms;
  j["gemm_gflops"] = 3 * fwd_flops / (train_ms * 1e6);
  j["gemm_fwd_gflops"] = fwd_flops / (fwd_ms * 1e6);
  add_footer(j);
  return j;
}

Options parse(int argc, char** argv) {
  Options o;
  CLI::App app{"twinflow_bench: one network at one shape, one JSON line"};
  app.add_option("--net", o.net)->check(CLI::IsMember({"cosine", "triplet"}));
  app.add_option("--mode", o.mode)->check(CLI::IsMember({"train", "infer", "embed", "gemm"}));
  app.add_option("--batch", o.batch, "B")->check(CLI::PositiveNumber);
  app.add_option("--seqlen", o.seqlen, "T")->check(CLI::Range(int64_t{3}, int64_t{10000}));
  app.add_option("--lengths", o.lengths)->check(CLI::IsMember({"full", "random"}));
  app.add_option("--threads", o.threads, "1: serial; 2: the two LSTM directions on two cores")
      ->check(CLI::IsMember({1, 2}));
  app.add_option("--optimizer", o.optimizer, "train: the optimizer, with its defaults, lr 1e-3")
      ->check(CLI::IsMember(std::vector<std::string>(twinflow::graph::kOptimizers.begin(),
                                                     twinflow::graph::kOptimizers.end())));
  app.add_option("--stack", o.stack,
                 "shared: a shared layer runs once on its applications' stacked batches")
      ->check(CLI::IsMember({"off", "shared"}));
  app.add_option("--steps", o.steps, "at least this many timed steps")->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup, "untimed steps first")->check(CLI::NonNegativeNumber);
  app.add_option("--seconds", o.seconds, "and at least this long")->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    twinflow::ops::register_builtin_ops();
    twinflow::ops::set_parallel_enabled(o.threads == 2);
    const nlohmann::ordered_json j = o.mode == "gemm" ? bench_gemm(o) : bench_network(o);
    fmt::print("{}\n", j.dump());
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
