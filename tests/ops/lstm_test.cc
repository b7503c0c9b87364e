#include "ops/lstm.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>

#include "autograd/tape.h"
#include "tests/testing/op_check.h"
#include "tests/testing/sequence_checks.h"

namespace twinflow::ops {
namespace {

using graph::kBatch;
using graph::LstmAttrs;
using graph::Shape;
using graph::ValueInfo;
using testing::OpCase;

LstmAttrs lstm_attrs(int64_t units, bool return_sequences, bool go_backwards, double dropout = 0.0,
                     double recurrent_dropout = 0.0) {
  return LstmAttrs{units, return_sequences, go_backwards, dropout, recurrent_dropout};
}

// Post-padded ids: sample b has lengths[b] real tokens, then zeros.
std::vector<int32_t> post_padded(int64_t steps, const std::vector<int64_t>& lengths) {
  std::vector<int32_t> ids;
  for (int64_t len : lengths)
    for (int64_t t = 0; t < steps; ++t) ids.push_back(t < len ? static_cast<int32_t>(t + 2) : 0);
  return ids;
}

// Random x and weights; `lengths` empty: no ids input.
OpCase lstm_case(int64_t batch, int64_t steps, int64_t in, const LstmAttrs& a,
                 const std::vector<int64_t>& lengths = {}, bool training = false) {
  OpCase c{fmt::format("LSTM B={} T={} E={} {}{}{}", batch, steps, in, LSTM::describe(a),
                       lengths.empty() ? "" : " masked", training ? " training" : ""),
           &op_def<LSTM>(),
           a,
           {},
           training};
  c.inputs.push_back(testing::random_input(Shape{batch, steps, in}));
  if (!lengths.empty())
    c.inputs.push_back(testing::ids_input(Shape{batch, steps}, post_padded(steps, lengths)));
  c.inputs.push_back(testing::random_input(Shape{in, 4 * a.units}, 0.5));
  c.inputs.push_back(testing::random_input(Shape{a.units, 4 * a.units}, 0.5));
  c.inputs.push_back(testing::random_input(Shape{4 * a.units}, 0.3));
  return c;
}

std::vector<OpCase> lstm_samples() {
  std::vector<OpCase> cases;
  for (bool rs : {false, true}) {
    for (bool gb : {false, true}) {
      const LstmAttrs a = lstm_attrs(3, rs, gb);
      cases.push_back(lstm_case(1, 1, 2, a));             // batch 1, one step
      cases.push_back(lstm_case(1, 5, 3, a, {3}));        // batch 1, masked
      cases.push_back(lstm_case(3, 5, 4, a));             // unmasked
      cases.push_back(lstm_case(3, 5, 4, a, {5, 2, 3}));  // one sample fills T
      cases.push_back(lstm_case(3, 1, 2, a, {1, 0, 1}));  // a sample with no real token
      cases.push_back(lstm_case(3, 5, 4, lstm_attrs(3, rs, gb, 0.3, 0.4), {5, 2, 4}, true));
    }
  }
  return cases;
}

const bool kLstmSamplesRegistered = (testing::register_op_samples("LSTM", lstm_samples), true);

// Appends padding to masked sequences (testing::check_padding_invariance).
void check_padding_invariance(int64_t e, const LstmAttrs& a) {
  const std::vector<int64_t> lengths{4, 2, 3};
  const bool training = a.dropout > 0.0;
  testing::check_padding_invariance(
      [&](int64_t steps) { return lstm_case(3, steps, e, a, lengths, training); }, 3, 4, 7, e,
      a.units, a.return_sequences);
}

TEST_SUITE("ops") {
  TEST_CASE("LSTM shape rule") {
    const LstmAttrs a = lstm_attrs(4, false, false);
    const ValueInfo x{Shape{kBatch, 30, 8}};
    const ValueInfo ids{Shape{kBatch, 30}, graph::DType::kInt32};
    const ValueInfo w{Shape{8, 16}}, u{Shape{4, 16}}, b{Shape{16}};
    CHECK(LSTM::infer_shape(a, std::vector<ValueInfo>{x, ids, w, u, b}) == Shape{kBatch, 4});
    CHECK(LSTM::infer_shape(a, std::vector<ValueInfo>{x, w, u, b}) == Shape{kBatch, 4});
    CHECK(LSTM::infer_shape(lstm_attrs(4, true, true), std::vector<ValueInfo>{x, ids, w, u, b}) ==
          Shape{kBatch, 30, 4});
    auto fails = [](const LstmAttrs& attrs, std::vector<ValueInfo> in, const char* message) {
      CHECK_THROWS_WITH_AS(LSTM::infer_shape(attrs, in), doctest::Contains(message),
                           graph::ShapeError);
    };
    fails(a, {x, w, u}, "expects x, [ids], kernel, recurrent_kernel, bias (4 or 5 inputs), got 3");
    fails(a, {ValueInfo{Shape{kBatch, 8}}, w, u, b}, "input 0 (x) must be [B, T, E] (rank 3)");
    fails(a, {ValueInfo{Shape{2, 30, 8}, graph::DType::kInt32}, w, u, b},
          "input 0 (x) must be real");
    fails(a, {x, ValueInfo{Shape{kBatch, 31}, graph::DType::kInt32}, w, u, b},
          "input 1 (ids) must be [B, T] = [B, 30] to match x [B, 30, 8], got [B, 31]");
    fails(a, {x, ValueInfo{Shape{kBatch, 30}}, w, u, b}, "input 1 (ids) must be int32");
    fails(a, {x, ids, w, u}, "input 1 is int32 ids, so a parameter is missing");
    fails(a, {x, ids, ValueInfo{Shape{7, 16}}, u, b},
          "input 2 (kernel) must be [E, 4H] = [8, 16], got [7, 16]");
    fails(a, {x, w, ValueInfo{Shape{4, 12}}, b},
          "input 2 (recurrent_kernel) must be [H, 4H] = [4, 16], got [4, 12]");
    fails(a, {x, ids, w, u, ValueInfo{Shape{4}}}, "input 4 (bias) must be [4H] = [16], got [4]");
    fails(a, {x, ids, w, u, ValueInfo{Shape{16}, graph::DType::kInt32}},
          "input 4 (bias) must be real");
    fails(lstm_attrs(-1, false, false), {x, w, u, b}, "units must be positive");
    fails(lstm_attrs(4, false, false, 1.0), {x, w, u, b},
          "dropout and recurrent_dropout must be in [0, 1)");
  }

  TEST_CASE("LSTM parameters and description") {
    const auto specs = LSTM::param_specs(lstm_attrs(5, false, false),
                                         std::vector<ValueInfo>{{Shape{kBatch, 7, 3}}});
    REQUIRE(specs.size() == 3);
    CHECK(specs[0].name == "kernel");
    CHECK(specs[0].shape == Shape{3, 20});
    CHECK(specs[0].init == graph::Init::kGlorotUniform);
    CHECK(specs[1].name == "recurrent_kernel");
    CHECK(specs[1].shape == Shape{5, 20});
    CHECK(specs[1].init == graph::Init::kOrthogonal);
    CHECK(specs[2].name == "bias");
    CHECK(specs[2].init == graph::Init::kLstmBias);
    CHECK(LSTM::describe(lstm_attrs(50, true, true, 0.2, 0.1)) ==
          "units=50, return_sequences, go_backwards, dropout=0.2, recurrent_dropout=0.1");
  }

  TEST_CASE("LSTM forward matches hand-computed values") {
    // E = H = 1, x = [0.5, −1], W = [.4, −.3, .8, .2], U = [.6, .5, −.7, .9],
    // b = [.1, 1, −.2, .05] (gates i, f, c, o). Step 1 (h0 = c0 = 0):
    //   z = 0.5·W + b = [.3, .85, .2, .15];  c1 = σ(.3)·tanh(.2) = 0.113380775706501
    //   h1 = σ(.15)·tanh(c1) = 0.06067444126695372
    // Step 2: z = −1·W + h1·U + b;  c2 = σ(z_f)·c1 + σ(z_i)·tanh(z_c);  h2 = σ(z_o)·tanh(c2)
    //   = −0.11605323764094048 (python3, math module).
    // go_backwards reads x2 first: g1 = −0.1448822140173081, then x1: g2 = −0.03037207433871197.
    OpCase c = lstm_case(1, 2, 1, lstm_attrs(1, false, false));
    c.inputs[0].values = {0.5, -1.0};
    c.inputs[1].values = {0.4, -0.3, 0.8, 0.2};
    c.inputs[2].values = {0.6, 0.5, -0.7, 0.9};
    c.inputs[3].values = {0.1, 1.0, -0.2, 0.05};
    CHECK(testing::run_forward(c)[0] == doctest::Approx(-0.11605323764094048).epsilon(1e-14));
    c.attrs = lstm_attrs(1, true, false);
    auto y = testing::run_forward(c);
    CHECK(y[0] == doctest::Approx(0.06067444126695372).epsilon(1e-14));
    CHECK(y[1] == doctest::Approx(-0.11605323764094048).epsilon(1e-14));
    // Backwards, outputs stay on the original time axis: y[1] is the first step's state.
    c.attrs = lstm_attrs(1, true, true);
    y = testing::run_forward(c);
    CHECK(y[0] == doctest::Approx(-0.03037207433871197).epsilon(1e-14));
    CHECK(y[1] == doctest::Approx(-0.1448822140173081).epsilon(1e-14));

    // ids [7, 0]: step 2 is padding. The state stops at h1; its output is 0. Backwards, the
    // pass starts at the last real token, so it computes h1 too.
    c.inputs.insert(c.inputs.begin() + 1, testing::ids_input(Shape{1, 2}, {7, 0}));
    for (bool gb : {false, true}) {
      CAPTURE(gb);
      c.attrs = lstm_attrs(1, false, gb);
      CHECK(testing::run_forward(c)[0] == doctest::Approx(0.06067444126695372).epsilon(1e-14));
      c.attrs = lstm_attrs(1, true, gb);
      y = testing::run_forward(c);
      CHECK(y[0] == doctest::Approx(0.06067444126695372).epsilon(1e-14));
      CHECK(y[1] == 0.0);
    }
    // A sample without a real token outputs zeros.
    c.inputs[1].ids = {0, 0};
    c.attrs = lstm_attrs(1, false, false);
    CHECK(testing::run_forward(c)[0] == 0.0);
  }

  TEST_CASE("LSTM gradients: masks, directions, sequences, dropout") {
    double worst = 0.0;
    for (const OpCase& c : lstm_samples()) {
      CAPTURE(c.label);
      const auto report = testing::check_op(c, 1e-6);
      INFO(report.to_string());
      CHECK(report.passed());
      worst = std::max(worst, report.worst_error());
    }
    MESSAGE("LSTM worst relative gradient error ", worst);
  }

  TEST_CASE("LSTM backward adds into pre-filled gradients") {
    CHECK(testing::accumulation_gap(lstm_case(3, 4, 3, lstm_attrs(2, false, false), {4, 1, 2})) <
          1e-12);
    CHECK(testing::accumulation_gap(
              lstm_case(2, 3, 3, lstm_attrs(2, true, true, 0.3, 0.3), {3, 2}, true)) < 1e-12);
  }

  TEST_CASE("LSTM: padding changes neither outputs nor gradients") {
    // Small units run scalar loops; 21 units mix packets, scalar tails and rows at every
    // alignment.
    for (int64_t units : {3, 21}) {
      for (bool rs : {false, true}) {
        for (bool gb : {false, true}) {
          for (double rate : {0.0, 0.4}) {
            CAPTURE(units);
            CAPTURE(rs);
            CAPTURE(gb);
            CAPTURE(rate);
            check_padding_invariance(units == 3 ? 2 : 9, lstm_attrs(units, rs, gb, rate, rate));
          }
        }
      }
    }
  }

  TEST_CASE("LSTM dropout: one mask per sample for all steps, none in inference") {
    // With E = 1 the input mask of a sample is one number, 0 or 1/(1 − 0.5) = 2, so each
    // sample's output must equal an inference run on 0·x or on 2·x (a per-step mask would
    // mix them). Likewise H = 1 makes the recurrent mask scale U by 0 or 2.
    const int64_t batch = 8;
    OpCase base = lstm_case(batch, 4, 1, lstm_attrs(1, false, false));
    for (size_t i = 0; i < base.inputs.size(); ++i)
      base.inputs[i].values = testing::random_normal(base.inputs[i].shape.num_elements(), 20 + i);
    auto scaled = [&base](size_t input, double k) {
      OpCase c = base;
      for (double& v : c.inputs[input].values) v *= k;
      return testing::run_forward(c);
    };
    for (size_t input : {size_t{0}, size_t{2}}) {
      CAPTURE(input);
      OpCase train = base;
      train.training = true;
      train.attrs = input == 0 ? lstm_attrs(1, false, false, 0.5, 0.0)
                               : lstm_attrs(1, false, false, 0.0, 0.5);
      const auto y = testing::run_forward(train);
      const auto dropped = scaled(input, 0.0), kept = scaled(input, 2.0);
      int n_dropped = 0, n_kept = 0;
      for (int64_t b = 0; b < batch; ++b) {
        n_dropped += y[b] == dropped[b];
        n_kept += y[b] == kept[b];
      }
      CHECK(n_dropped + n_kept == batch);
      CHECK(n_dropped > 0);
      CHECK(n_kept > 0);
      train.training = false;
      CHECK(testing::run_forward(train) == testing::run_forward(base));
    }
  }
}

}  // namespace
}  // namespace twinflow::ops
