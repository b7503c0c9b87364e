#include "runtime/optimizer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "graph/graph.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;

struct OneParam {
  graph::Graph graph;
  std::unique_ptr<ParameterStore<double>> store;
  OneParam() {
    graph.add_parameter("w", Shape{2}, graph::Init::kZeros);
    store = std::make_unique<ParameterStore<double>>(graph, 0);
    store->all()[0].data.data = {1.0, -2.0};
  }
  Parameter<double>& w() { return store->all()[0]; }
};

TEST_SUITE("runtime") {
  TEST_CASE("Adam matches steps computed by hand (Keras defaults)") {
    OneParam p;
    Adam<double> adam;
    p.w().grad.data = {0.5, -0.1};
    adam.step(*p.store);
    // t=1: m = 0.1·g, v = 0.001·g², step = 1e-3·sqrt(0.001)/0.1 = 1e-3·0.316227766/... so
    // θ −= 1e-3 · sqrt(1−0.999)/(1−0.9) · m/(sqrt(v)+1e-7) = 1e-3 · g/(|g| + 1e-7/sqrt(0.001)·…)
    // For g = 0.5: m = 0.05, sqrt(v) = 0.0158113883, lr_t = 1e-3·0.0316227766/0.1 = 3.16227766e-4
    //   Δ = 3.16227766e-4 · 0.05 / (0.0158113883 + 1e-7) = 9.99993675e-4
    CHECK(p.w().data.data[0] == doctest::Approx(1.0 - 9.99993675e-4).epsilon(1e-9));
    // For g = −0.1: m = −0.01, sqrt(v) = 0.00316227766, Δ = 3.16227766e-4·(−0.01)/(0.00316237766)
    //   = −9.99968378e-4
    CHECK(p.w().data.data[1] == doctest::Approx(-2.0 + 9.99968378e-4).epsilon(1e-9));
    // t=2 with g = 0.5 again: m = 0.095, v = 0.000499750, lr_t = 1e-3·sqrt(0.001999)/0.19
    //   = 2.35319e-4; Δ = 2.35319e-4 · 0.095/(0.0223551 + 1e-7) ≈ 1.0e-3
    p.w().grad.data = {0.5, -0.1};
    adam.step(*p.store);
    const double v2 = 0.999 * 0.001 * 0.25 + 0.001 * 0.25;
    const double m2 = 0.9 * 0.05 + 0.1 * 0.5;
    const double lr2 = 1e-3 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
    CHECK(p.w().data.data[0] ==
          doctest::Approx(1.0 - 9.99993675e-4 - lr2 * m2 / (std::sqrt(v2) + 1e-7)).epsilon(1e-12));
  }

  TEST_CASE("SGD with momentum matches steps computed by hand") {
    OneParam p;
    Sgd<double> sgd(0.1, 0.9);
    p.w().grad.data = {1.0, 2.0};
    sgd.step(*p.store);  // v = −0.1·g = (−0.1, −0.2)
    CHECK(p.w().data.data[0] == doctest::Approx(0.9));
    CHECK(p.w().data.data[1] == doctest::Approx(-2.2));
    sgd.step(*p.store);  // v = 0.9·(−0.1, −0.2) − (0.1, 0.2) = (−0.19, −0.38)
    CHECK(p.w().data.data[0] == doctest::Approx(0.71));
    CHECK(p.w().data.data[1] == doctest::Approx(-2.58));
  }

  TEST_CASE("frozen parameters are not updated and have no gradient buffer") {
    graph::Graph g;
    g.add_parameter("frozen", Shape{3}, graph::Init::kOnes, /*trainable=*/false);
    ParameterStore<double> store(g, 0);
    CHECK(store.all()[0].grad.size() == 0);
    Adam<double> adam;
    adam.step(store);
    CHECK(store.all()[0].data.data == std::vector<double>{1, 1, 1});
    CHECK(store.count(false) == 3);
    CHECK(store.count(true) == 0);
  }
}

}  // namespace
}  // namespace twinflow::runtime
