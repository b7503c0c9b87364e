// The update rules against steps worked out by hand (float64), two or three steps each.
#include "runtime/optim/optimizer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "ops/parallel.h"
#include "tests/runtime/optimizer_fixture.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;
using testing::kTight;
using testing::Params;

TEST_SUITE("runtime.optim") {
  TEST_CASE("plain SGD: θ ← θ − lr·g") {
    Params p({1.0, -2.0});
    Sgd<double> sgd(SgdConfig{0.1});
    p.set_grad(0, {0.5, -1.0});
    sgd.step(*p.store);  // (1 − 0.05, −2 + 0.1)
    CHECK(p.value()[0] == doctest::Approx(0.95).epsilon(kTight));
    CHECK(p.value()[1] == doctest::Approx(-1.9).epsilon(kTight));
    sgd.step(*p.store);  // the same step again: no momentum carries over
    CHECK(p.value()[0] == doctest::Approx(0.90).epsilon(kTight));
    CHECK(p.value()[1] == doctest::Approx(-1.8).epsilon(kTight));
  }

  TEST_CASE("SGD with momentum: m ← μ·m − lr·g, θ ← θ + m") {
    Params p({1.0, -2.0});
    Sgd<double> sgd(SgdConfig{0.1, 0.9});
    p.set_grad(0, {1.0, 2.0});
    sgd.step(*p.store);  // m = −0.1·g = (−0.1, −0.2)
    CHECK(p.value()[0] == doctest::Approx(0.9).epsilon(kTight));
    CHECK(p.value()[1] == doctest::Approx(-2.2).epsilon(kTight));
    sgd.step(*p.store);  // m = 0.9·(−0.1, −0.2) − (0.1, 0.2) = (−0.19, −0.38)
    CHECK(p.value()[0] == doctest::Approx(0.71).epsilon(kTight));
    CHECK(p.value()[1] == doctest::Approx(-2.58).epsilon(kTight));
  }

  TEST_CASE("nesterov SGD: θ ← θ + μ·m − lr·g with the new m") {
    Params p({1.0, -2.0});
    Sgd<double> sgd(SgdConfig{0.1, 0.9, true});
    p.set_grad(0, {1.0, 2.0});
    // m = (−0.1, −0.2);  Δθ = 0.9·m − 0.1·g = (−0.09 − 0.1, −0.18 − 0.2) = (−0.19, −0.38)
    sgd.step(*p.store);
    CHECK(p.value()[0] == doctest::Approx(0.81).epsilon(kTight));
    CHECK(p.value()[1] == doctest::Approx(-2.38).epsilon(kTight));
    // m = 0.9·(−0.1, −0.2) − (0.1, 0.2) = (−0.19, −0.38)
    // Δθ = 0.9·(−0.19, −0.38) − (0.1, 0.2) = (−0.271, −0.542)
    sgd.step(*p.store);
    CHECK(p.value()[0] == doctest::Approx(0.539).epsilon(kTight));
    CHECK(p.value()[1] == doctest::Approx(-2.922).epsilon(kTight));
  }

  TEST_CASE("Adam matches steps computed by hand (Keras defaults)") {
    Params p({1.0, -2.0});
    Adam<double> adam;
    p.set_grad(0, {0.5, -0.1});
    adam.step(*p.store);
    // t=1: m = 0.1·g, v = 0.001·g², α = 1e-3·sqrt(1 − 0.999)/(1 − 0.9) = 3.16227766e-4
    // g = 0.5:  m = 0.05, sqrt(v) = 0.0158113883, Δ = α·0.05/(0.0158113883 + 1e-7) = 9.99993675e-4
    CHECK(p.value()[0] == doctest::Approx(1.0 - 9.99993675e-4).epsilon(1e-9));
    // g = −0.1: m = −0.01, sqrt(v) = 0.00316227766, Δ = α·(−0.01)/(0.00316237766) = −9.99968378e-4
    CHECK(p.value()[1] == doctest::Approx(-2.0 + 9.99968378e-4).epsilon(1e-9));
    // t=2 with the same g: m = 0.9·0.05 + 0.1·0.5 = 0.095, v = 0.999·0.00025 + 0.001·0.25,
    // α = 1e-3·sqrt(1 − 0.999²)/(1 − 0.9²)
    adam.step(*p.store);
    const double v2 = 0.999 * 0.001 * 0.25 + 0.001 * 0.25;
    const double m2 = 0.9 * 0.05 + 0.1 * 0.5;
    const double alpha2 = 1e-3 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
    CHECK(p.value()[0] ==
          doctest::Approx(1.0 - 9.99993675e-4 - alpha2 * m2 / (std::sqrt(v2) + 1e-7))
              .epsilon(kTight));
    CHECK(adam.steps() == 2);
  }

  TEST_CASE("RMSprop: v ← ρ·v + (1−ρ)·g², θ ← θ − lr·g/√(v + ε)") {
    Params p({1.0});
    Rmsprop<double> rms(RmspropConfig{0.01});
    p.set_grad(0, {0.5});
    rms.step(*p.store);  // v = 0.1·0.25 = 0.025; Δ = 0.005/√0.0250001 = 0.031622713356
    CHECK(p.value()[0] == doctest::Approx(1.0 - 0.031622713356320324).epsilon(kTight));
    p.set_grad(0, {-1.0});
    rms.step(*p.store);  // v = 0.9·0.025 + 0.1·1 = 0.1225; Δ = −0.01/√0.1225001 = −0.028571416910
    CHECK(p.value()[0] ==
          doctest::Approx(1.0 - 0.031622713356320324 + 0.02857141690962813).epsilon(kTight));
  }

  TEST_CASE("RMSprop with momentum: m ← μ·m + Δ, θ ← θ − m") {
    Params p({1.0});
    Rmsprop<double> rms(RmspropConfig{0.01, 0.9, 0.5});
    p.set_grad(0, {0.5});
    rms.step(*p.store);  // m = Δ1 = 0.031622713356 (as above)
    CHECK(p.value()[0] == doctest::Approx(0.9683772866436797).epsilon(kTight));
    p.set_grad(0, {-1.0});
    rms.step(*p.store);  // m = 0.5·0.0316227134 − 0.0285714169 = −0.0127600602
    CHECK(p.value()[0] == doctest::Approx(0.9811373468751476).epsilon(kTight));
  }

  TEST_CASE("centered RMSprop divides by the variance estimate v − a² + ε") {
    Params p({1.0});
    Rmsprop<double> rms(RmspropConfig{0.01, 0.9, 0.0, 1e-7, true});
    p.set_grad(0, {0.5});
    // a = 0.1·0.5 = 0.05; d = 0.025 − 0.0025 + 1e-7 = 0.0225001; Δ = 0.005/√d = 0.033333259
    rms.step(*p.store);
    CHECK(p.value()[0] == doctest::Approx(1.0 - 0.03333325925950618).epsilon(kTight));
    p.set_grad(0, {-1.0});
    // a = 0.9·0.05 − 0.1 = −0.055; d = 0.1225 − 0.003025 + 1e-7 = 0.1194751;
    // Δ = −0.01/√d = −0.028930857
    rms.step(*p.store);
    CHECK(p.value()[0] == doctest::Approx(0.9955975977398521).epsilon(kTight));
  }

  TEST_CASE("Adagrad: a ← a + g² from 0.1, θ ← θ − lr·g/√(a + ε)") {
    Params p({1.0});
    Adagrad<double> ada(AdagradConfig{0.1});
    p.set_grad(0, {0.5});
    ada.step(*p.store);  // a = 0.1 + 0.25 = 0.35; Δ = 0.05/√0.3500001 = 0.084515413
    CHECK(p.value()[0] == doctest::Approx(0.9154845866007779).epsilon(kTight));
    ada.step(*p.store);  // a = 0.6; Δ = 0.05/√0.6000001 = 0.064549717
    CHECK(p.value()[0] == doctest::Approx(0.8509348695431305).epsilon(kTight));
  }

  TEST_CASE("a float32 Adam step agrees with the float64 one to float precision") {
    Params<float> pf({1.0f, -2.0f});
    Params<double> pd({1.0, -2.0});
    Adam<float> af;
    Adam<double> ad;
    for (int step = 0; step < 3; ++step) {
      pf.set_grad(0, {0.5f, -0.1f});
      pd.set_grad(0, {0.5, -0.1});
      af.step(*pf.store);
      ad.step(*pd.store);
    }
    CHECK(pf.value()[0] == doctest::Approx(pd.value()[0]).epsilon(1e-6));
    CHECK(pf.value()[1] == doctest::Approx(pd.value()[1]).epsilon(1e-6));
  }

  TEST_CASE("a long parameter is updated in every element, across block boundaries") {
    // 1300 elements span three of the blocks the rules work in.
    std::vector<double> values(1300);
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
    Params p(values);
    Sgd<double> sgd(SgdConfig{0.5});
    std::vector<double> g(values.size());
    for (size_t i = 0; i < g.size(); ++i) g[i] = static_cast<double>(i % 7);
    p.set_grad(0, g);
    sgd.step(*p.store);
    for (size_t i = 0; i < values.size(); ++i)
      REQUIRE(p.value()[i] == static_cast<double>(i) - 0.5 * static_cast<double>(i % 7));
  }

  TEST_CASE("a parameter split across two cores gets the same bits as one pass") {
    const size_t n = static_cast<size_t>(kSplitElements) + 77;  // halves of unequal length
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal;
    std::vector<double> values(n), g(n);
    for (size_t i = 0; i < n; ++i) {
      values[i] = normal(rng);
      g[i] = normal(rng);
    }
    std::vector<double> result[2];
    for (bool parallel : {false, true}) {
      ops::set_parallel_enabled(parallel);
      Params p(values);
      p.set_grad(0, g);
      Adam<double> adam;
      adam.set_clip({.clipnorm = 100.0, .clipvalue = 1.5});
      adam.step(*p.store);
      adam.step(*p.store);
      result[parallel] = p.value();
    }
    ops::set_parallel_enabled(true);
    CHECK(result[0] == result[1]);
    CHECK(result[0] != values);
  }

  TEST_CASE("frozen parameters are not updated and own no gradient or state") {
    Params p({{"frozen", Shape{3}, false}, {"w", Shape{2}, true}});
    p.value(0) = {1, 1, 1};
    p.set_grad(1, {1.0, 1.0});
    CHECK(p[0].grad.size() == 0);
    Adam<double> adam;
    adam.step(*p.store);
    CHECK(p.value(0) == std::vector<double>{1, 1, 1});
    CHECK(p.value(1)[0] != 0.0);
    const SafetensorsContent state = adam.state();
    CHECK(state.tensors.count("w/momentum") == 1);
    CHECK(state.tensors.count("frozen/momentum") == 0);
  }

  TEST_CASE("options out of range are errors naming the option") {
    CHECK_THROWS_WITH_AS(Adam<double>(AdamConfig{1e-3, 1.0}), doctest::Contains("beta_1"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(Sgd<double>(SgdConfig{-1.0}), doctest::Contains("lr"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(Rmsprop<double>(RmspropConfig{1e-3, 0.9, 0.0, 0.0}),
                         doctest::Contains("epsilon"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(Adagrad<double>(AdagradConfig{1e-3, -0.1}),
                         doctest::Contains("initial_accumulator_value"), std::invalid_argument);
  }

  TEST_CASE("an optimizer refuses a store other than the one it started with") {
    Params a({1.0, 2.0});
    Params b({1.0, 2.0, 3.0});
    Adam<double> adam;
    adam.step(*a.store);
    CHECK_THROWS_AS(adam.step(*b.store), std::logic_error);
  }
}

}  // namespace
}  // namespace twinflow::runtime
