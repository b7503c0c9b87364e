#include "ops/bidirectional.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <map>
#include <stdexcept>

#include "autograd/tape.h"
#include "ops/parallel.h"
#include "tests/testing/op_check.h"
#include "tests/testing/sequence_checks.h"

namespace twinflow::ops {
namespace {

using graph::BidirectionalAttrs;
using graph::kBatch;
using graph::LstmAttrs;
using graph::MergeMode;
using graph::Shape;
using graph::ValueInfo;
using testing::OpCase;

constexpr MergeMode kModes[] = {MergeMode::kConcat, MergeMode::kSum, MergeMode::kMul,
                                MergeMode::kAve};

BidirectionalAttrs bidi_attrs(int64_t units, MergeMode merge, bool return_sequences,
                              double dropout = 0.0, double recurrent_dropout = 0.0) {
  return BidirectionalAttrs{LstmAttrs{units, return_sequences, false, dropout, recurrent_dropout},
                            merge};
}

// Random x and weights; `lengths` empty: no ids, otherwise post-padded ids of those lengths.
OpCase bidi_case(int64_t batch, int64_t steps, int64_t in, const BidirectionalAttrs& a,
                 const std::vector<int64_t>& lengths = {}, bool training = false) {
  OpCase c{fmt::format("Bidirectional B={} T={} E={} {}{}{}", batch, steps, in,
                       Bidirectional::describe(a), lengths.empty() ? "" : " masked",
                       training ? " training" : ""),
           &op_def<Bidirectional>(),
           a,
           {},
           training};
  c.inputs.push_back(testing::random_input(Shape{batch, steps, in}));
  if (!lengths.empty()) {
    std::vector<int32_t> ids;
    for (int64_t len : lengths)
      for (int64_t t = 0; t < steps; ++t) ids.push_back(t < len ? 3 : 0);
    c.inputs.push_back(testing::ids_input(Shape{batch, steps}, std::move(ids)));
  }
  const int64_t h = a.layer.units;
  for (int direction = 0; direction < 2; ++direction) {
    c.inputs.push_back(testing::random_input(Shape{in, 4 * h}, 0.5));
    c.inputs.push_back(testing::random_input(Shape{h, 4 * h}, 0.5));
    c.inputs.push_back(testing::random_input(Shape{4 * h}, 0.3));
  }
  return c;
}

std::vector<OpCase> bidi_samples() {
  std::vector<OpCase> cases;
  for (MergeMode m : kModes) {
    for (bool rs : {false, true}) {
      cases.push_back(bidi_case(1, 1, 2, bidi_attrs(2, m, rs)));             // batch 1, T = 1
      cases.push_back(bidi_case(3, 5, 3, bidi_attrs(2, m, rs), {5, 2, 3}));  // masked
    }
    cases.push_back(bidi_case(1, 5, 2, bidi_attrs(2, m, true), {3}));
    cases.push_back(bidi_case(3, 5, 3, bidi_attrs(2, m, false)));  // unmasked
    cases.push_back(
        bidi_case(3, 4, 3, bidi_attrs(2, m, m == MergeMode::kConcat, 0.3, 0.4), {4, 1, 3}, true));
  }
  return cases;
}

const bool kBidirectionalSamplesRegistered =
    (testing::register_op_samples("Bidirectional", bidi_samples), true);

// Appends padding to masked sequences, with dropout on (testing::check_padding_invariance).
void check_padding_invariance(int64_t e, const BidirectionalAttrs& a) {
  const int64_t width = a.merge == MergeMode::kConcat ? 2 * a.layer.units : a.layer.units;
  testing::check_padding_invariance(
      [&](int64_t steps) {
        return bidi_case(3, steps, e, a, {4, 1, 3}, true);
      },
      3, 4, 6, e, width, a.layer.return_sequences);
}

TEST_SUITE("ops") {
  TEST_CASE("Bidirectional shape rule") {
    const ValueInfo x{Shape{kBatch, 30, 8}};
    const ValueInfo ids{Shape{kBatch, 30}, graph::DType::kInt32};
    const ValueInfo w{Shape{8, 16}}, u{Shape{4, 16}}, b{Shape{16}};
    const std::vector<ValueInfo> ok{x, ids, w, u, b, w, u, b};
    CHECK(Bidirectional::infer_shape(bidi_attrs(4, MergeMode::kConcat, false), ok) ==
          Shape{kBatch, 8});
    CHECK(Bidirectional::infer_shape(bidi_attrs(4, MergeMode::kAve, false), ok) ==
          Shape{kBatch, 4});
    CHECK(Bidirectional::infer_shape(bidi_attrs(4, MergeMode::kConcat, true), ok) ==
          Shape{kBatch, 30, 8});
    CHECK(Bidirectional::infer_shape(bidi_attrs(4, MergeMode::kMul, true),
                                     std::vector<ValueInfo>{x, w, u, b, w, u, b}) ==
          Shape{kBatch, 30, 4});
    const BidirectionalAttrs a = bidi_attrs(4, MergeMode::kSum, false);
    auto fails = [&a](std::vector<ValueInfo> in, const char* message) {
      CHECK_THROWS_WITH_AS(Bidirectional::infer_shape(a, in), doctest::Contains(message),
                           graph::ShapeError);
    };
    fails({x, ids, w, u, b},
          "expects x, [ids], forward.kernel, forward.recurrent_kernel, forward.bias, "
          "backward.kernel, backward.recurrent_kernel, backward.bias (7 or 8 inputs), got 5");
    fails({ValueInfo{Shape{kBatch, 8}}, w, u, b, w, u, b}, "input 0 (x) must be [B, T, E]");
    fails({x, ValueInfo{Shape{kBatch, 30, 1}, graph::DType::kInt32}, w, u, b, w, u, b},
          "input 1 (ids) must be [B, T] = [B, 30]");
    fails({x, ids, w, u, b, ValueInfo{Shape{8, 12}}, u, b},
          "input 5 (backward.kernel) must be [E, 4H] = [8, 16], got [8, 12]");
    fails({x, w, ValueInfo{Shape{16, 4}}, b, w, u, b},
          "input 2 (forward.recurrent_kernel) must be [H, 4H] = [4, 16], got [16, 4]");
    fails({x, w, u, b, w, u, ValueInfo{Shape{1, 16}}},
          "input 6 (backward.bias) must be [4H] = [16], got [1, 16]");
  }

  TEST_CASE("Bidirectional parameters and description") {
    const auto specs = Bidirectional::param_specs(bidi_attrs(5, MergeMode::kConcat, false),
                                                  std::vector<ValueInfo>{{Shape{kBatch, 7, 3}}});
    REQUIRE(specs.size() == 6);
    const char* names[] = {"forward.kernel",  "forward.recurrent_kernel",  "forward.bias",
                           "backward.kernel", "backward.recurrent_kernel", "backward.bias"};
    for (size_t i = 0; i < 6; ++i) CHECK(specs[i].name == names[i]);
    CHECK(specs[4].shape == Shape{5, 20});
    CHECK(specs[4].init == graph::Init::kOrthogonal);
    CHECK(specs[5].init == graph::Init::kLstmBias);
    CHECK(Bidirectional::describe(bidi_attrs(50, MergeMode::kConcat, false, 0.2, 0.2)) ==
          "concat, units=50, dropout=0.2, recurrent_dropout=0.2");
  }

  TEST_CASE("Bidirectional forward matches hand-computed values") {
    // The E = H = 1, T = 2 example of the LSTM test, with the same weights in both directions:
    // forwards h1 = 0.06067444126695372, h2 = −0.11605323764094048; backwards (x2 first)
    // g1 = −0.1448822140173081, g2 = −0.03037207433871197 (python3, math module).
    const double h1 = 0.06067444126695372, h2 = -0.11605323764094048;
    const double g1 = -0.1448822140173081, g2 = -0.03037207433871197;
    OpCase c = bidi_case(1, 2, 1, bidi_attrs(1, MergeMode::kConcat, false));
    c.inputs[0].values = {0.5, -1.0};
    for (size_t d : {size_t{1}, size_t{4}}) {
      c.inputs[d].values = {0.4, -0.3, 0.8, 0.2};
      c.inputs[d + 1].values = {0.6, 0.5, -0.7, 0.9};
      c.inputs[d + 2].values = {0.1, 1.0, -0.2, 0.05};
    }
    auto y = testing::run_forward(c);
    CHECK(y[0] == doctest::Approx(h2).epsilon(1e-14));
    CHECK(y[1] == doctest::Approx(g2).epsilon(1e-14));
    // The wrapped layer's go_backwards is ignored: one direction of each kind either way.
    c.attrs = graph::BidirectionalAttrs{LstmAttrs{1, false, true, 0.0, 0.0}, MergeMode::kConcat};
    CHECK(testing::run_forward(c) == y);
    // Sequences: step t holds [forward state after x_t, backward state after x_t].
    c.attrs = bidi_attrs(1, MergeMode::kConcat, true);
    y = testing::run_forward(c);
    const std::vector<double> expected{h1, g2, h2, g1};
    for (size_t i = 0; i < 4; ++i) CHECK(y[i] == doctest::Approx(expected[i]).epsilon(1e-14));
    c.attrs = bidi_attrs(1, MergeMode::kSum, false);
    CHECK(testing::run_forward(c)[0] == doctest::Approx(h2 + g2).epsilon(1e-14));
    c.attrs = bidi_attrs(1, MergeMode::kMul, false);
    CHECK(testing::run_forward(c)[0] == doctest::Approx(h2 * g2).epsilon(1e-14));
    c.attrs = bidi_attrs(1, MergeMode::kAve, true);
    y = testing::run_forward(c);
    CHECK(y[0] == doctest::Approx((h1 + g2) / 2).epsilon(1e-14));
    CHECK(y[1] == doctest::Approx((h2 + g1) / 2).epsilon(1e-14));
  }

  TEST_CASE("Bidirectional gradients: every merge mode, masks, sequences, dropout") {
    double worst = 0.0;
    for (const OpCase& c : bidi_samples()) {
      CAPTURE(c.label);
      const auto report = testing::check_op(c, 1e-6);
      INFO(report.to_string());
      CHECK(report.passed());
      worst = std::max(worst, report.worst_error());
    }
    MESSAGE("Bidirectional worst relative gradient error ", worst);
  }

  TEST_CASE("Bidirectional backward adds into pre-filled gradients") {
    for (MergeMode m : kModes) {
      CHECK(testing::accumulation_gap(bidi_case(3, 4, 2, bidi_attrs(2, m, true), {4, 1, 2})) <
            1e-12);
      CHECK(testing::accumulation_gap(
                bidi_case(2, 3, 2, bidi_attrs(2, m, false, 0.3, 0.3), {3, 2}, true)) < 1e-12);
    }
  }

  TEST_CASE("Bidirectional: padding changes neither outputs nor gradients") {
    for (int64_t units : {2, 13}) {
      for (MergeMode m : kModes) {
        for (bool rs : {false, true}) {
          const std::string mode{graph::to_string(m)};
          CAPTURE(units);
          CAPTURE(mode);
          CAPTURE(rs);
          check_padding_invariance(units == 2 ? 2 : 5, bidi_attrs(units, m, rs, 0.2, 0.3));
        }
      }
    }
  }

  TEST_CASE("Bidirectional: both directions in parallel give bit-identical results") {
    for (bool training : {false, true}) {
      CAPTURE(training);
      const OpCase c = bidi_case(16, 12, 8, bidi_attrs(10, MergeMode::kConcat, true, 0.2, 0.2),
                                 {12, 3, 7, 12, 1, 5, 9, 12, 2, 12, 8, 4, 6, 10, 11, 12}, training);
      OpCase mul = c;
      mul.attrs = bidi_attrs(10, MergeMode::kMul, false, 0.2, 0.2);
      set_parallel_enabled(false);
      const auto seq_d = testing::run_case<double>(c), seq_mul = testing::run_case<double>(mul);
      const auto seq_f = testing::run_case<float>(c);
      set_parallel_enabled(true);
      for (int repeat = 0; repeat < 3; ++repeat) {
        const auto par_d = testing::run_case<double>(c), par_mul = testing::run_case<double>(mul);
        const auto par_f = testing::run_case<float>(c);
        CHECK(par_d.y == seq_d.y);
        CHECK(par_d.grads == seq_d.grads);
        CHECK(par_f.y == seq_f.y);
        CHECK(par_f.grads == seq_f.grads);
        CHECK(par_mul.y == seq_mul.y);
        CHECK(par_mul.grads == seq_mul.grads);
      }
    }
  }

  TEST_CASE("run_pair runs both tasks, rethrows their errors and nests sequentially") {
    std::atomic<int> count{0};
    for (int i = 0; i < 200; ++i) run_pair([&count] { ++count; }, [&count] { count += 2; });
    CHECK(count == 600);
    // A task that calls run_pair itself finds the helper busy and runs both parts inline.
    int inner = 0;
    run_pair([] {}, [&inner] { run_pair([&inner] { inner += 1; }, [&inner] { inner += 10; }); });
    CHECK(inner == 11);
    CHECK_THROWS_WITH_AS(run_pair([] {}, [] { throw std::runtime_error("second failed"); }),
                         "second failed", std::runtime_error);
    CHECK_THROWS_WITH_AS(run_pair([] { throw std::runtime_error("first failed"); }, [] {}),
                         "first failed", std::runtime_error);
    int first = 0, second = 0;
    run_pair([&first] { first = 1; }, [&second] { second = 2; });  // still usable
    CHECK(first + second == 3);
  }
}

}  // namespace
}  // namespace twinflow::ops
