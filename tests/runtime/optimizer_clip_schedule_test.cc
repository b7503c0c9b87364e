// Gradient clipping and learning-rate schedules, seen through plain SGD with lr 1 (θ ← θ − g),
// so each parameter's change is the clipped gradient itself.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "runtime/optim/optimizer.h"
#include "tests/runtime/optimizer_fixture.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;
using testing::kTight;
using testing::Params;

// Two parameters at 0 with gradients a = (3, 4) (norm 5) and b = (0.3, 0.4) (norm 0.5);
// returns the change each got, which is −(clipped gradient).
std::vector<std::vector<double>> clipped(const ClipOptions& clip,
                                         std::vector<double> a = {3.0, 4.0},
                                         std::vector<double> b = {0.3, 0.4}) {
  Params p({{"a", Shape{2}, true}, {"b", Shape{2}, true}});
  p.set_grad(0, std::move(a));
  p.set_grad(1, std::move(b));
  Sgd<double> sgd(SgdConfig{1.0});
  sgd.set_clip(clip);
  sgd.step(*p.store);
  return {{-p.value(0)[0], -p.value(0)[1]}, {-p.value(1)[0], -p.value(1)[1]}};
}

TEST_SUITE("runtime.optim") {
  TEST_CASE("clipnorm clips each gradient by its own norm (Keras)") {
    const auto g = clipped({.clipnorm = 1.0});
    CHECK(g[0][0] == doctest::Approx(0.6).epsilon(kTight));  // (3, 4)·1/5
    CHECK(g[0][1] == doctest::Approx(0.8).epsilon(kTight));
    CHECK(g[1][0] == doctest::Approx(0.3).epsilon(kTight));  // norm 0.5 ≤ 1: unchanged
    CHECK(g[1][1] == doctest::Approx(0.4).epsilon(kTight));
  }

  TEST_CASE("global_clipnorm scales all gradients by one factor") {
    // N = sqrt(25 + 0.25) = 5.02493781; factor 1/N = 0.199007438
    const auto g = clipped({.global_clipnorm = 1.0});
    CHECK(g[0][0] == doctest::Approx(0.5970223141259935).epsilon(kTight));
    CHECK(g[0][1] == doctest::Approx(0.7960297521679913).epsilon(kTight));
    CHECK(g[1][0] == doctest::Approx(0.059702231412599345).epsilon(kTight));
    CHECK(g[1][1] == doctest::Approx(0.07960297521679914).epsilon(kTight));
    // Inside the bound nothing changes.
    const auto same = clipped({.global_clipnorm = 6.0});
    CHECK(same[0][1] == 4.0);
  }

  TEST_CASE("clipvalue clamps each element to [−c, c]") {
    const auto g = clipped({.clipvalue = 0.5}, {-3.0, 0.2}, {0.3, 0.6});
    CHECK(g[0][0] == -0.5);
    CHECK(g[0][1] == 0.2);
    CHECK(g[1][0] == 0.3);
    CHECK(g[1][1] == 0.5);
  }

  TEST_CASE("norm and value clipping compose: the norm first, then the value") {
    // (3, 4) → (0.6, 0.8) by its norm → (0.6, 0.7) by value
    const auto g = clipped({.clipnorm = 1.0, .clipvalue = 0.7});
    CHECK(g[0][0] == doctest::Approx(0.6).epsilon(kTight));
    CHECK(g[0][1] == doctest::Approx(0.7).epsilon(kTight));
    // clipnorm then global_clipnorm: a → (0.6, 0.8), N = sqrt(1 + 0.25), factor 0.8/sqrt(1.25)
    const auto h = clipped({.clipnorm = 1.0, .global_clipnorm = 0.8});
    CHECK(h[0][0] == doctest::Approx(0.6 * 0.8 / std::sqrt(1.25)).epsilon(kTight));
    CHECK(h[1][1] == doctest::Approx(0.4 * 0.8 / std::sqrt(1.25)).epsilon(kTight));
  }

  TEST_CASE("clipping never hides an Inf or a NaN from the trainer's check") {
    const double inf = std::numeric_limits<double>::infinity();
    // A non-finite norm leaves the gradient as it is: c/∞ would have zeroed it.
    const auto g = clipped({.clipnorm = 1.0, .global_clipnorm = 1.0}, {inf, 1.0});
    CHECK(std::isinf(g[0][0]));
    CHECK(g[0][1] == 1.0);
    CHECK(g[1][0] == 0.3);
    const auto h = clipped({.clipvalue = 0.5}, {std::nan(""), 1.0});
    CHECK(std::isnan(h[0][0]));
    CHECK(h[0][1] == 0.5);
  }

  TEST_CASE("clip options must be finite and >= 0") {
    Sgd<double> sgd;
    CHECK_THROWS_WITH_AS(sgd.set_clip({.clipvalue = -1.0}), doctest::Contains("clipvalue"),
                         std::invalid_argument);
  }

  TEST_CASE("schedules map the step count to the rate") {
    LrSchedule constant;
    CHECK(scheduled_lr(constant, 0.5, 0) == 0.5);
    CHECK(scheduled_lr(constant, 0.5, 1000) == 0.5);

    LrSchedule warmup{.warmup_steps = 4};  // (t + 1)/4 for t < 4
    CHECK(scheduled_lr(warmup, 1.0, 0) == 0.25);
    CHECK(scheduled_lr(warmup, 1.0, 2) == 0.75);
    CHECK(scheduled_lr(warmup, 1.0, 3) == 1.0);
    CHECK(scheduled_lr(warmup, 1.0, 50) == 1.0);

    LrSchedule step{.kind = ScheduleKind::kStep, .every = 10, .factor = 0.5};
    CHECK(scheduled_lr(step, 1.0, 9) == 1.0);
    CHECK(scheduled_lr(step, 1.0, 10) == 0.5);
    CHECK(scheduled_lr(step, 1.0, 25) == 0.25);
    step.warmup_steps = 5;  // the periods count from the end of the warmup
    CHECK(scheduled_lr(step, 1.0, 14) == 1.0);
    CHECK(scheduled_lr(step, 1.0, 15) == 0.5);

    LrSchedule cosine{.kind = ScheduleKind::kCosine, .total_steps = 100, .min_lr_fraction = 0.1};
    CHECK(scheduled_lr(cosine, 1.0, 0) == 1.0);
    // p = 1/4: 0.1 + 0.9·½(1 + cos(π/4)) = 0.868198052
    CHECK(scheduled_lr(cosine, 1.0, 25) == doctest::Approx(0.8681980515339464).epsilon(kTight));
    CHECK(scheduled_lr(cosine, 1.0, 50) == doctest::Approx(0.55).epsilon(kTight));
    CHECK(scheduled_lr(cosine, 1.0, 100) == doctest::Approx(0.1).epsilon(kTight));
    CHECK(scheduled_lr(cosine, 1.0, 150) == doctest::Approx(0.1).epsilon(kTight));
    cosine.warmup_steps = 20;  // ramps to 1 at t = 19, then decays over the 80 steps left
    CHECK(scheduled_lr(cosine, 1.0, 9) == 0.5);
    CHECK(scheduled_lr(cosine, 1.0, 20) == 1.0);
    CHECK(scheduled_lr(cosine, 1.0, 60) == doctest::Approx(0.55).epsilon(kTight));
  }

  TEST_CASE("schedules out of range are errors naming the option") {
    CHECK_THROWS_WITH_AS(validate(LrSchedule{.kind = ScheduleKind::kStep}),
                         doctest::Contains("every"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(
        validate(LrSchedule{.kind = ScheduleKind::kCosine, .warmup_steps = 10, .total_steps = 10}),
        doctest::Contains("total_steps"), std::invalid_argument);
    CHECK(schedule_kind("cosine") == ScheduleKind::kCosine);
    CHECK(!schedule_kind("linear"));
  }

  TEST_CASE("an optimizer steps with the scheduled rate, and lr() tells the next one") {
    Params p({0.0});
    Sgd<double> sgd(SgdConfig{1.0});
    sgd.set_schedule({.kind = ScheduleKind::kStep, .every = 1, .factor = 0.5});
    p.set_grad(0, {1.0});
    CHECK(sgd.lr() == 1.0);
    sgd.step(*p.store);  // −1
    CHECK(sgd.lr() == 0.5);
    sgd.step(*p.store);  // −0.5
    sgd.set_lr(2.0);     // a new base rate keeps the schedule's position: 2·0.25
    CHECK(sgd.lr() == 0.5);
    sgd.step(*p.store);
    CHECK(p.value()[0] == -2.0);
    CHECK(sgd.base_lr() == 2.0);
  }

  TEST_CASE("a spec's schedule counts epochs in updates of the run") {
    graph::ScheduleSpec spec;
    spec.name = "step";
    spec.every_epochs = 2;
    spec.factor = 0.5;
    spec.warmup_steps = 3;
    const LrSchedule step = schedule_for_run(spec, 10, 6);  // 10 batches an epoch, 6 epochs
    CHECK(step.kind == ScheduleKind::kStep);
    CHECK(step.every == 20);
    CHECK(step.warmup_steps == 3);
    CHECK(scheduled_lr(step, 1.0, 3 + 19) == 1.0);
    CHECK(scheduled_lr(step, 1.0, 3 + 20) == 0.5);

    spec.name = "cosine";
    spec.min_lr_fraction = 0.1;
    const LrSchedule cosine = schedule_for_run(spec, 10, 6);
    CHECK(cosine.total_steps == 60);
    CHECK(scheduled_lr(cosine, 1.0, 60) == doctest::Approx(0.1).epsilon(kTight));
    CHECK(scheduled_lr(cosine, 1.0, 3) == doctest::Approx(1.0).epsilon(kTight));

    spec.name = "exponential";
    CHECK_THROWS_AS(schedule_for_run(spec, 10, 6), std::invalid_argument);
  }

  TEST_CASE("make_optimizer builds each optimizer from a spec with its options") {
    graph::OptimizerSpec spec;
    spec.name = "sgd";
    spec.lr = 0.1;
    spec.momentum = 0.9;
    spec.nesterov = true;
    spec.clipvalue = 0.5;
    spec.global_clipnorm = 2.0;
    auto sgd = make_optimizer<double>(spec);
    CHECK(sgd->name() == "sgd");
    CHECK(sgd->base_lr() == 0.1);
    CHECK(sgd->clip().clipvalue == 0.5);
    CHECK(sgd->clip().global_clipnorm == 2.0);
    // nesterov with clipped g = 0.5: m = −0.05, Δθ = 0.9·(−0.05) − 0.05 = −0.095
    Params p({0.0});
    p.set_grad(0, {3.0});
    sgd->step(*p.store);
    CHECK(p.value()[0] == doctest::Approx(-0.095).epsilon(kTight));
    CHECK(sgd->state().tensors.count("w/momentum") == 1);

    for (const char* name : {"adam", "rmsprop", "adagrad"}) {
      spec.name = name;
      CHECK(make_optimizer<float>(spec)->name() == name);
    }
    spec.name = "rmsprop";
    spec.momentum = 0.0;
    spec.centered = true;
    auto centered = make_optimizer<double>(spec);
    Params q({0.0});
    centered->step(*q.store);
    CHECK(centered->state().tensors.count("w/average_gradient") == 1);

    spec.name = "adamw";
    CHECK_THROWS_WITH_AS(make_optimizer<double>(spec),
                         doctest::Contains("unknown optimizer 'adamw'"), std::invalid_argument);
    spec.name = "adam";
    spec.lr = 0.0;
    CHECK_THROWS_AS(make_optimizer<double>(spec), std::invalid_argument);
  }
}

}  // namespace
}  // namespace twinflow::runtime
