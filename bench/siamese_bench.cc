// twinflow_bench — wall-clock timings of the cosine Siamese network in float32 at the seed's
// shapes, printed as a table or as JSON lines (bench/torch_siamese.py prints the same rows
// for PyTorch; bench/run.sh joins the two).
//
// Shapes: batch 64, seq_len 30, vocab 20000, embed_dim 100, Bidirectional(LSTM(50)) concat,
// dropout and recurrent_dropout 0. Both branches hold random ids in [1, vocab) with random
// lengths in [10, 30] (the same lengths as the PyTorch script's) and post-padding (id 0), so
// masking is exercised as in training.
//
// Rows:
//   train_step         zero_grad + forward(training) + backward + Adam, one batch
//   step.forward       ... its forward part,
//   step.backward      ... its backward part,
//   step.optimizer     ... zero_grad + Adam (dense: the embedding gradient is [20000, 100])
//   forward            inference forward (training = false)
//   bilstm             one Bidirectional layer alone on x [64, 30, 100], every step real:
//                      forward + backward wrt x and all six weights
//   bilstm_masked      the same on the Siamese left branch's lengths (…_right: right's);
//                      2 of these ≈ the BiLSTM's share of train_step
// GFLOP/s counts only the LSTM GEMMs over real steps: per direction, forward 2·N·E·4H (input
// projection) + 2·N·H·4H (recurrent), N = real (sample, step) pairs; backward ≈ 2× forward.
// Each row runs `warmup` times untimed, then `reps` timed; the table gives median and min.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "autograd/tape.h"
#include "graph/ir/attrs.h"
#include "ops/bidirectional.h"
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

constexpr int64_t kBatch = 64;
constexpr int64_t kSeqLen = 30;
constexpr int64_t kMinLen = 10;
constexpr int64_t kVocab = 20000;
constexpr int64_t kEmbed = 100;
constexpr int64_t kUnits = 50;

struct Options {
  int reps = 20;
  int warmup = 3;
  bool json = false;
  bool serial = false;  // Bidirectional's two directions on one core instead of two
  std::string only;     // "siamese" or "bilstm": run one group (for profilers); empty: both
};

struct Row {
  std::string name;
  std::vector<double> ms;  // one sample per timed repetition
  double flops = 0;        // LSTM GEMM flops per repetition; 0: not reported
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Forward + backward GEMM flops of a bidirectional LSTM over `tokens` real (sample, step) pairs.
double bilstm_flops(int64_t tokens) {
  const double n = static_cast<double>(tokens);
  const double per_direction = 2 * n * kEmbed * 4 * kUnits + 2 * n * kUnits * 4 * kUnits;
  return 3 * 2 * per_direction;
}

// Random ids in [1, vocab) for lengths[b] steps, then padding (0).
IdTensor random_ids(const std::vector<int64_t>& lengths, std::mt19937_64& rng) {
  IdTensor ids(Shape{kBatch, kSeqLen});
  std::uniform_int_distribution<int32_t> token(1, static_cast<int32_t>(kVocab - 1));
  for (int64_t b = 0; b < kBatch; ++b)
    for (int64_t t = 0; t < lengths[static_cast<size_t>(b)]; ++t)
      ids.data[static_cast<size_t>(b * kSeqLen + t)] = token(rng);
  return ids;
}

// Lengths in [kMinLen, kSeqLen] from splitmix64, which bench/torch_siamese.py repeats, so both
// frameworks see the same lengths (masked work depends on them; the ids themselves do not).
std::vector<int64_t> random_lengths(uint64_t& state) {
  std::vector<int64_t> lengths(kBatch);
  for (int64_t& n : lengths) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    n = kMinLen + static_cast<int64_t>(z % static_cast<uint64_t>(kSeqLen - kMinLen + 1));
  }
  return lengths;
}

int64_t real_tokens(const IdTensor& ids) {
  return std::count_if(ids.data.begin(), ids.data.end(), [](int32_t id) { return id != 0; });
}

void fill_normal(Tensor<float>& t, float stddev, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, stddev);
  for (float& v : t.data) v = normal(rng);
}

struct Batch {
  IdTensor left, right;
  Tensor<float> label;
};

Batch siamese_batch(std::mt19937_64& rng) {
  Batch b;
  uint64_t state = 2024;
  b.left = random_ids(random_lengths(state), rng);
  b.right = random_ids(random_lengths(state), rng);
  b.label = Tensor<float>(Shape{kBatch, 1});
  std::bernoulli_distribution coin(0.5);
  for (float& y : b.label.data) y = coin(rng) ? 1.0f : 0.0f;
  return b;
}

// Runs `body` warmup + reps times; it records its timings only when told `timed`.
void repeat(const Options& o, const std::function<void(bool timed)>& body) {
  for (int i = 0; i < o.warmup; ++i) body(false);
  for (int i = 0; i < o.reps; ++i) body(true);
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The Siamese network at the benchmark's shapes, fed with one fixed batch.
struct Siamese {
  twinflow::runtime::ReferenceModel model;
  twinflow::runtime::ParameterStore<float> params;
  twinflow::runtime::Executor<float> exec;
  twinflow::runtime::Adam<float> adam;

  static twinflow::runtime::SiameseConfig config() {
    twinflow::runtime::SiameseConfig c;
    c.vocab = kVocab;
    c.embed_dim = kEmbed;
    c.seq_len = kSeqLen;
    c.units = kUnits;
    c.dropout = 0.0;
    c.recurrent_dropout = 0.0;
    return c;
  }
  explicit Siamese(const Batch& batch)
      : model(twinflow::runtime::cosine_siamese(config())),
        params(*model.graph, 42),
        exec(*model.graph, params) {
    exec.feed_ids("left", &batch.left);
    exec.feed_ids("right", &batch.right);
    exec.feed("label", &batch.label);
  }
};

std::vector<Row> bench_siamese(const Options& o, const Batch& batch) {
  Siamese s(batch);
  Row step{"train_step", {}, 0}, fwd{"step.forward", {}, 0}, bwd{"step.backward", {}, 0},
      opt{"step.optimizer", {}, 0}, infer{"forward", {}, 0};
  uint64_t seed = 1;
  repeat(o, [&](bool timed) {
    const auto t0 = Clock::now();
    s.params.zero_grad();
    const auto t1 = Clock::now();
    s.exec.forward(/*training=*/true, seed++);
    const auto t2 = Clock::now();
    s.exec.backward(s.model.loss);
    const auto t3 = Clock::now();
    s.adam.step(s.params);
    const auto t4 = Clock::now();
    if (!timed) return;
    step.ms.push_back(ms_between(t0, t4));
    fwd.ms.push_back(ms_between(t1, t2));
    bwd.ms.push_back(ms_between(t2, t3));
    opt.ms.push_back(ms_between(t0, t1) + ms_between(t3, t4));
  });
  const float loss = s.exec.value(s.model.loss).data[0];
  if (!std::isfinite(loss)) throw std::runtime_error(fmt::format("the loss is {}", loss));
  repeat(o, [&](bool timed) {
    const auto t0 = Clock::now();
    s.exec.forward(/*training=*/false, 0);
    if (timed) infer.ms.push_back(ms_since(t0));
  });
  return {step, fwd, bwd, opt, infer};
}

// One Bidirectional node on x [B, T, E] (and ids when given): forward + backward with a fixed
// random dy, gradients wrt x and the weights (accumulated, never zeroed: no zeroing is timed).
Row bench_bilstm(const Options& o, const std::string& name, const IdTensor* ids,
                 std::mt19937_64& rng) {
  namespace graph = twinflow::graph;
  graph::Graph g;
  const graph::ValueId x = g.add_input("x", Shape{kBatch, kSeqLen, kEmbed});
  std::vector<graph::ValueId> data{x};
  if (ids) data.push_back(g.add_input("ids", Shape{kBatch, kSeqLen}, graph::DType::kInt32));
  graph::LstmAttrs lstm;
  lstm.units = kUnits;
  const graph::LayerId layer =
      g.add_layer("bilstm", twinflow::ops::op_def<twinflow::ops::Bidirectional>(),
                  graph::BidirectionalAttrs{lstm, graph::MergeMode::kConcat});
  const graph::ValueId y = g.apply(layer, data, "y");

  twinflow::runtime::ParameterStore<float> params(g, 7);
  twinflow::autograd::Tape<float> tape(g);
  for (auto& p : params.all()) {
    tape.bind(p.value, &p.data);
    tape.bind_grad(p.value, &p.grad);
  }
  Tensor<float> xv(Shape{kBatch, kSeqLen, kEmbed}), dx(xv.shape), dy(Shape{kBatch, 2 * kUnits});
  fill_normal(xv, 0.5f, rng);
  fill_normal(dy, 1.0f, rng);
  tape.bind(x, &xv);
  tape.bind_grad(x, &dx);
  if (ids) tape.bind_ids(data[1], ids);

  Row row{name, {}, bilstm_flops(ids ? real_tokens(*ids) : kBatch * kSeqLen)};
  repeat(o, [&](bool timed) {
    const auto t0 = Clock::now();
    tape.forward(/*training=*/true, 1);
    tape.backward(y, dy);
    if (timed) row.ms.push_back(ms_since(t0));
  });
  return row;
}

void print_table(const std::vector<Row>& rows, const Options& o, const Batch& batch) {
  fmt::print(
      "twinflow float32, batch {}, seq_len {}, vocab {}, embed {}, BiLSTM({}) concat, "
      "dropout 0; {} warm-up + {} timed reps; directions {}\n",
      kBatch, kSeqLen, kVocab, kEmbed, kUnits, o.warmup, o.reps,
      o.serial ? "serial" : "on two threads");
  fmt::print("real tokens: left {}, right {} of {}\n\n", real_tokens(batch.left),
             real_tokens(batch.right), kBatch * kSeqLen);
  fmt::print("{:<20} {:>11} {:>11} {:>14}\n", "measurement", "median ms", "min ms", "LSTM GFLOP/s");
  for (const Row& r : rows) {
    const std::string gflops =
        r.flops > 0 ? fmt::format("{:.1f}", r.flops / (median(r.ms) * 1e6)) : "";
    fmt::print("{:<20} {:>11.3f} {:>11.3f} {:>14}\n", r.name, median(r.ms), min_of(r.ms), gflops);
  }
}

void print_json(const std::vector<Row>& rows, const Options& o) {
  for (const Row& r : rows) {
    const std::string gflops =
        r.flops > 0 ? fmt::format("{:.3f}", r.flops / (median(r.ms) * 1e6)) : "null";
    fmt::print(
        "{{\"impl\": \"twinflow\", \"name\": \"{}\", \"median_ms\": {:.4f}, "
        "\"min_ms\": {:.4f}, \"reps\": {}, \"warmup\": {}, \"lstm_gflops\": {}, "
        "\"threads\": {}}}\n",
        r.name, median(r.ms), min_of(r.ms), o.reps, o.warmup, gflops, o.serial ? 1 : 2);
  }
}

// The BiLSTM's share of a training step, estimated as both branches' masked layer times.
void print_share(const std::vector<Row>& rows) {
  auto find = [&rows](const std::string& name) {
    return median(
        std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.name == name; })->ms);
  };
  const double step = find("train_step");
  const double lstm = find("bilstm_masked") + find("bilstm_masked_right");
  fmt::print(
      "\nBiLSTM forward+backward of both branches (alone): {:.3f} ms = {:.0f}% of "
      "train_step; everything else ≈ {:.3f} ms\n",
      lstm, 100 * lstm / step, step - lstm);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      o.json = true;
    } else if (arg == "--serial") {
      o.serial = true;
    } else if (arg == "--only" && i + 1 < argc) {
      o.only = argv[++i];
    } else if ((arg == "--reps" || arg == "--warmup") && i + 1 < argc) {
      (arg == "--reps" ? o.reps : o.warmup) = std::atoi(argv[++i]);
    } else {
      throw std::invalid_argument(fmt::format(
          "unknown argument '{}'; usage: twinflow_bench [--reps N] [--warmup N] [--json] "
          "[--serial] [--only siamese|bilstm]",
          arg));
    }
  }
  if (o.reps < 1 || o.warmup < 0) throw std::invalid_argument("need --reps >= 1, --warmup >= 0");
  if (!o.only.empty() && o.only != "siamese" && o.only != "bilstm")
    throw std::invalid_argument("--only takes siamese or bilstm");
  return o;
}

int run(const Options& o) {
  twinflow::ops::register_builtin_ops();
  twinflow::ops::set_parallel_enabled(!o.serial);
  std::mt19937_64 rng(2024);
  const Batch batch = siamese_batch(rng);
  std::vector<Row> rows;
  if (o.only != "bilstm") rows = bench_siamese(o, batch);
  if (o.only != "siamese") {
    rows.push_back(bench_bilstm(o, "bilstm", nullptr, rng));
    rows.push_back(bench_bilstm(o, "bilstm_masked", &batch.left, rng));
    rows.push_back(bench_bilstm(o, "bilstm_masked_right", &batch.right, rng));
  }
  if (o.json) {
    print_json(rows, o);
  } else {
    print_table(rows, o, batch);
    if (o.only.empty()) print_share(rows);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
