// Saving and loading optimizer state: a resumed run continues exactly where it stopped.
#include <doctest/doctest.h>

#include <random>

#include "runtime/io/weights_file.h"
#include "runtime/optim/optimizer.h"
#include "tests/runtime/optimizer_fixture.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;
using testing::Params;
using testing::TempDir;

template <typename T>
Params<T> model() {
  Params<T> p({{"emb.embeddings", Shape{5, 3}, true},
               {"frozen.table", Shape{2}, false},
               {"head.bias", Shape{1}, true}});
  for (size_t k = 0; k < 3; ++k)
    for (size_t i = 0; i < p.value(k).size(); ++i)
      p.value(k)[i] = static_cast<T>(0.1 * static_cast<double>(i + k) - 0.3);
  return p;
}

// Gradients that depend on the step and on θ (as real ones do), so a wrong θ, moment or step
// count after resuming changes every later step.
template <typename T>
void fake_gradients(Params<T>& p, int step) {
  std::mt19937_64 rng(static_cast<uint64_t>(step));
  std::normal_distribution<double> noise;
  for (size_t k : {size_t{0}, size_t{2}})
    for (size_t i = 0; i < p.value(k).size(); ++i)
      p[k].grad.data[i] = static_cast<T>(static_cast<double>(p.value(k)[i]) + noise(rng));
}

graph::OptimizerSpec spec_for(const std::string& name) {
  graph::OptimizerSpec spec;
  spec.name = name;
  spec.lr = 0.05;
  spec.momentum = name == "sgd" || name == "rmsprop" ? 0.5 : 0.0;
  spec.nesterov = name == "sgd";
  spec.clipnorm = 1.0;
  spec.centered = true;  // rmsprop only
  return spec;
}

const LrSchedule kSchedule{.kind = ScheduleKind::kCosine, .warmup_steps = 2, .total_steps = 6};

TEST_SUITE("runtime.optim") {
  TEST_CASE("a run resumed from saved weights and optimizer state is bit-identical (float64)") {
    for (const std::string name : {"sgd", "adam", "lazy_adam", "rmsprop", "adagrad"}) {
      CAPTURE(name);
      TempDir dir;
      Params<double> straight = model<double>();
      auto full = make_optimizer<double>(spec_for(name), kSchedule);
      for (int step = 0; step < 6; ++step) {
        fake_gradients(straight, step);
        full->step(*straight.store);
      }

      Params<double> first = model<double>();
      auto before = make_optimizer<double>(spec_for(name), kSchedule);
      for (int step = 0; step < 3; ++step) {
        fake_gradients(first, step);
        before->step(*first.store);
      }
      save_weights(dir.path("weights.safetensors"), *first.store);
      before->save_state(dir.path("optimizer.safetensors"));

      Params<double> resumed = model<double>();
      for (double& v : resumed.value(0)) v = 42.0;  // the load must replace these
      auto after = make_optimizer<double>(spec_for(name), kSchedule);
      CHECK(load_weights(dir.path("weights.safetensors"), *resumed.store, LoadMode::kStrict)
                .complete());
      after->load_state(dir.path("optimizer.safetensors"), *resumed.store);
      CHECK(after->steps() == 3);
      CHECK(after->lr() == before->lr());
      for (int step = 3; step < 6; ++step) {
        fake_gradients(resumed, step);
        after->step(*resumed.store);
      }
      for (size_t k = 0; k < 3; ++k) {
        CAPTURE(k);
        for (size_t i = 0; i < resumed.value(k).size(); ++i)
          CHECK(resumed.value(k)[i] == straight.value(k)[i]);
      }
    }
  }

  TEST_CASE("the state holds each slot by parameter name, the step and the base rate") {
    Params<float> p = model<float>();
    Adam<float> adam;
    adam.set_lr(0.1 + 0.2);  // 0.30000000000000004: the rate must survive to the last bit
    fake_gradients(p, 0);
    adam.step(*p.store);
    const SafetensorsContent state = adam.state();
    CHECK(state.metadata.at("optimizer") == "adam");
    CHECK(state.metadata.at("step") == "1");
    CHECK(state.metadata.at("lr") == "0.30000000000000004");
    CHECK(state.tensors.size() == 4);
    const StoredTensor& m = state.tensors.at("emb.embeddings/momentum");
    CHECK(m.dtype == StoredDType::kF32);
    CHECK(m.shape == Shape{5, 3});
    CHECK(state.tensors.count("head.bias/velocity") == 1);

    Adam<float> other;
    Params<float> q = model<float>();
    other.load_state(state, *q.store, "state");
    CHECK(other.base_lr() == 0.1 + 0.2);
    CHECK(other.state().tensors.at("emb.embeddings/momentum").bytes == m.bytes);
  }

  TEST_CASE("a float32 state loads into a float64 optimizer, converting") {
    Params<float> pf = model<float>();
    Adagrad<float> af;
    fake_gradients(pf, 0);
    af.step(*pf.store);
    Params<double> pd = model<double>();
    Adagrad<double> ad;
    ad.load_state(af.state(), *pd.store, "state");
    const auto acc = stored_values<double>(ad.state().tensors.at("head.bias/accumulator"), "x");
    const auto expected = stored_values<float>(af.state().tensors.at("head.bias/accumulator"), "x");
    CHECK(acc[0] == static_cast<double>(expected[0]));
  }

  TEST_CASE("a state that does not fit is an error naming the tensor, and changes nothing") {
    Params<double> p = model<double>();
    Adam<double> adam;
    fake_gradients(p, 0);
    adam.step(*p.store);
    const SafetensorsContent good = adam.state();
    Adam<double> target;
    auto load = [&](const SafetensorsContent& s) { target.load_state(s, *p.store, "opt.st"); };

    Rmsprop<double> rms;
    CHECK_THROWS_WITH_AS(load(rms.state()),
                         "opt.st: the optimizer state is for 'rmsprop', this optimizer is 'adam'",
                         SafetensorsError);
    SafetensorsContent missing = good;
    missing.tensors.erase("head.bias/velocity");
    CHECK_THROWS_WITH_AS(load(missing), doctest::Contains("no tensor 'head.bias/velocity'"),
                         SafetensorsError);
    SafetensorsContent reshaped = good;
    reshaped.tensors["head.bias/velocity"] = to_stored(ops::Tensor<double>(Shape{2}));
    CHECK_THROWS_WITH_AS(load(reshaped), doctest::Contains("'head.bias/velocity' has shape [2]"),
                         SafetensorsError);
    SafetensorsContent extra = good;
    extra.tensors["dense.kernel/momentum"] = to_stored(ops::Tensor<double>(Shape{1}));
    CHECK_THROWS_WITH_AS(load(extra), doctest::Contains("'dense.kernel/momentum'"),
                         SafetensorsError);
    SafetensorsContent bad_step = good;
    bad_step.metadata["step"] = "3x";
    CHECK_THROWS_WITH_AS(load(bad_step), doctest::Contains("step '3x' is not a number"),
                         SafetensorsError);
    CHECK(target.steps() == 0);
    CHECK(target.state().tensors.empty());
    load(good);
    CHECK(target.steps() == 1);
  }
}

}  // namespace
}  // namespace twinflow::runtime
