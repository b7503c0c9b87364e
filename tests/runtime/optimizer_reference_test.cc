// Every optimizer against a scalar reference written here from the formulas in
// runtime/optim/optimizer.h (Keras 3's), on a parameter large enough to be updated in two halves
// on two threads (kSplitElements) and of odd size, every element compared after every step.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "runtime/optim/optimizer.h"
#include "tests/runtime/optimizer_fixture.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;

// Odd, above the split, with an upper half that does not start where a naive n / 2 would.
constexpr int64_t kLarge = 2 * kSplitElements + 3;
constexpr int kSteps = 3;
// float64; the optimizer and the reference evaluate the same formula, at most in another order.
constexpr double kRelative = 1e-12;

enum class Kind { kSgd, kAdam, kRmsprop, kAdagrad };

struct Case {
  std::string label;
  Kind kind;
  double momentum = 0.0;
  bool nesterov = false;
  bool centered = false;
};

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = {
      {"sgd", Kind::kSgd},
      {"sgd momentum", Kind::kSgd, 0.9},
      {"sgd nesterov", Kind::kSgd, 0.9, true},
      {"adam", Kind::kAdam},
      {"rmsprop", Kind::kRmsprop},
      {"rmsprop centered", Kind::kRmsprop, 0.0, false, true},
      {"rmsprop momentum centered", Kind::kRmsprop, 0.5, false, true},
      {"adagrad", Kind::kAdagrad},
  };
  return cases;
}

// The constants every optimizer and the reference use.
constexpr double kLr = 0.01, kBeta1 = 0.9, kBeta2 = 0.999, kRho = 0.9, kEps = 1e-7;
constexpr double kAccumulator0 = 0.1;

std::unique_ptr<Optimizer<double>> make(const Case& c) {
  switch (c.kind) {
    case Kind::kSgd:
      return std::make_unique<Sgd<double>>(SgdConfig{kLr, c.momentum, c.nesterov});
    case Kind::kAdam:
      return std::make_unique<Adam<double>>(AdamConfig{kLr, kBeta1, kBeta2, kEps});
    case Kind::kRmsprop:
      return std::make_unique<Rmsprop<double>>(
          RmspropConfig{kLr, kRho, c.momentum, kEps, c.centered});
    case Kind::kAdagrad:
      return std::make_unique<Adagrad<double>>(AdagradConfig{kLr, kAccumulator0, kEps});
  }
  return nullptr;
}

// One parameter's values and slots in the reference.
struct Reference {
  std::vector<double> theta, m, v, a;
  explicit Reference(const std::vector<double>& start)
      : theta(start), m(start.size(), 0.0), v(start.size(), 0.0), a(start.size(), 0.0) {}
};

// g ← g · c / max(‖g‖, c), each parameter by its own norm; c = 0 leaves g as it is.
std::vector<double> clipped(std::vector<double> g, double clipnorm) {
  if (clipnorm == 0.0) return g;
  double sq = 0.0;
  for (double x : g) sq += x * x;
  const double scale = clipnorm / std::max(std::sqrt(sq), clipnorm);
  for (double& x : g) x *= scale;
  return g;
}

void sgd_step(const Case& c, Reference& r, const std::vector<double>& g) {
  for (size_t i = 0; i < g.size(); ++i) {
    if (c.momentum == 0.0) {
      r.theta[i] -= kLr * g[i];
      continue;
    }
    r.m[i] = c.momentum * r.m[i] - kLr * g[i];
    r.theta[i] += c.nesterov ? c.momentum * r.m[i] - kLr * g[i] : r.m[i];
  }
}

void adam_step(Reference& r, const std::vector<double>& g, int t) {
  const double alpha = kLr * std::sqrt(1.0 - std::pow(kBeta2, t)) / (1.0 - std::pow(kBeta1, t));
  for (size_t i = 0; i < g.size(); ++i) {
    r.m[i] = kBeta1 * r.m[i] + (1.0 - kBeta1) * g[i];
    r.v[i] = kBeta2 * r.v[i] + (1.0 - kBeta2) * g[i] * g[i];
    r.theta[i] -= alpha * r.m[i] / (std::sqrt(r.v[i]) + kEps);
  }
}

void rmsprop_step(const Case& c, Reference& r, const std::vector<double>& g) {
  for (size_t i = 0; i < g.size(); ++i) {
    r.v[i] = kRho * r.v[i] + (1.0 - kRho) * g[i] * g[i];
    double d = r.v[i] + kEps;
    if (c.centered) {
      r.a[i] = kRho * r.a[i] + (1.0 - kRho) * g[i];
      d = r.v[i] - r.a[i] * r.a[i] + kEps;
    }
    const double delta = kLr * g[i] / std::sqrt(d);
    if (c.momentum > 0.0) {
      r.m[i] = c.momentum * r.m[i] + delta;
      r.theta[i] -= r.m[i];
    } else {
      r.theta[i] -= delta;
    }
  }
}

void adagrad_step(Reference& r, const std::vector<double>& g, int t) {
  for (size_t i = 0; i < g.size(); ++i) {
    if (t == 1) r.a[i] = kAccumulator0;
    r.a[i] += g[i] * g[i];
    r.theta[i] -= kLr * g[i] / std::sqrt(r.a[i] + kEps);
  }
}

void reference_step(const Case& c, Reference& r, const std::vector<double>& g, int t) {
  switch (c.kind) {
    case Kind::kSgd:
      return sgd_step(c, r, g);
    case Kind::kAdam:
      return adam_step(r, g, t);
    case Kind::kRmsprop:
      return rmsprop_step(c, r, g);
    case Kind::kAdagrad:
      return adagrad_step(r, g, t);
  }
}

std::vector<double> normal_values(size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> x(n);
  for (double& v : x) v = normal(rng);
  return x;
}

// Counts the elements of `actual` off the reference by more than kRelative·max(|r|, 1), and
// the first one, so a failure names where.
void check_every_element(const ops::AlignedVector<double>& actual,
                         const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  int64_t off = 0, first = -1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const double bound = kRelative * std::max(std::abs(expected[i]), 1.0);
    if (std::abs(actual[i] - expected[i]) <= bound) continue;  // a NaN is off too
    if (off++ == 0) first = static_cast<int64_t>(i);
  }
  CAPTURE(first);
  CHECK(off == 0);
}

void run_case(const Case& c, double clipnorm) {
  CAPTURE(c.label);
  CAPTURE(clipnorm);
  testing::Params<double> p({{"large", Shape{kLarge}}, {"small", Shape{5, 7}}});
  std::mt19937_64 rng(20261206);
  std::vector<Reference> refs;
  for (size_t k = 0; k < 2; ++k) {
    const std::vector<double> start = normal_values(p.value(k).size(), rng);
    std::copy(start.begin(), start.end(), p.value(k).begin());
    refs.emplace_back(start);
  }
  std::unique_ptr<Optimizer<double>> optimizer = make(c);
  optimizer->set_clip(ClipOptions{clipnorm, 0.0, 0.0});
  for (int t = 1; t <= kSteps; ++t) {
    CAPTURE(t);
    for (size_t k = 0; k < 2; ++k) {
      const std::vector<double> g = normal_values(p.value(k).size(), rng);
      p.set_grad(k, {g.begin(), g.end()});
      reference_step(c, refs[k], clipped(g, clipnorm), t);
    }
    optimizer->step(*p.store);
    for (size_t k = 0; k < 2; ++k) check_every_element(p.value(k), refs[k].theta);
  }
}

TEST_SUITE("runtime.optim") {
  TEST_CASE("every optimizer matches a scalar reference on every element of a split tensor") {
    static_assert(kLarge >= kSplitElements && kLarge % 2 == 1);
    // clipnorm 100 clips the large tensor (‖g‖ ≈ 512) and leaves the small one (≈ 6) alone.
    for (const double clipnorm : {0.0, 100.0})
      for (const Case& c : all_cases()) run_case(c, clipnorm);
  }
}

}  // namespace
}  // namespace twinflow::runtime
