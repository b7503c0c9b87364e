// A training step and an inference pass allocate nothing once the first has sized every
// buffer: the shipped cosine and triplet networks (dropout on, gradient clipping on, Adam) and
// the cosine network with subwords, and the first two with shared layers run on stacked
// batches, each through the real path — demo rows gathered into a
// batch, fed, forward, backward, clipped optimizer step, zeroed gradients.
#include <doctest/doctest.h>

#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "ops/registry.h"
#include "runtime/data/batches.h"
#include "runtime/data/input_columns.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/exec/executor.h"
#include "runtime/optim/optimizer.h"
#include "runtime/saved/model_roles.h"
#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/allocation_count.h"
#include "tests/testing/text_files.h"

namespace twinflow::runtime {
namespace {

graph::Model shipped_model(const std::string& spec_file, const std::string& edit_from = "",
                           const std::string& edit_to = "") {
  ops::register_builtin_ops();
  std::string text = testing::read_all(testing::source_path(spec_file));
  if (!edit_from.empty()) testing::replace_once(text, edit_from, edit_to);
  graph::Diagnostics diags;
  const auto spec = graph::parse_spec(text, spec_file, diags);
  REQUIRE_MESSAGE(spec, diags.to_string());
  auto model = graph::build_model(*spec, diags);
  REQUIRE_MESSAGE(model, diags.to_string());
  return std::move(*model);
}

// Steps 2..4 of training and passes 2..4 of inference on batches of 128 demo rows (the
// benchmark's batch: the products' packing buffers grow with it).
void check_steady_state(const graph::Model& model, const std::string& data_file) {
  testing::TempDir tmp;
  Dataset data =
      read_tsv(tmp.write("rows.tsv", testing::head_of(data_file, 256)), input_columns(model.spec));
  TokenCounts counts;
  data.count_tokens(counts);
  data.encode(Vocabulary::build(counts, 1, 0), model.subword_inputs);

  ParameterStore<float> params(*model.graph, 1);
  Executor<float> executor(*model.graph, params, stacking_of(model.spec.train));
  graph::OptimizerSpec adam;
  adam.name = "adam";
  adam.lr = 1e-3;
  const auto optimizer = make_optimizer<float>(adam);
  optimizer->set_clip(ClipOptions{.clipnorm = 0.0, .global_clipnorm = 1.0, .clipvalue = 0.0});
  const ModelRoles roles = model_roles(model);
  Batch<float> batch;
  std::vector<int64_t> rows(128);
  std::vector<uint64_t> keys(128);
  const auto train_step = [&](int64_t step) {
    std::iota(rows.begin(), rows.end(), step * 32 % 128);
    gather(data, rows, batch);
    feed(executor, batch);
    keys.assign(rows.begin(), rows.end());
    params.zero_grad();
    executor.forward(true, static_cast<uint64_t>(step), keys);
    executor.backward(roles.loss);
    optimizer->step(params);
  };
  const auto infer = [&](int64_t pass) {
    std::iota(rows.begin(), rows.end(), pass * 32 % 128);
    gather(data, rows, batch);
    feed(executor, batch);
    executor.forward(false, 0);
  };
  train_step(0);
  CHECK(testing::allocations_during([&] {
          for (int64_t step = 1; step <= 3; ++step) train_step(step);
        }) == 0);
  infer(0);
  CHECK(testing::allocations_during([&] {
          for (int64_t pass = 1; pass <= 3; ++pass) infer(pass);
        }) == 0);
}

TEST_SUITE("runtime.allocation") {
  TEST_CASE("the counter sees allocations") {
    static void* volatile escaped = nullptr;  // so the compiler cannot drop an allocation
    CHECK(testing::allocations_during([] {
            std::vector<double> v(1000);
            escaped = v.data();
          }) == 1);
    CHECK(testing::allocations_during([] {
            escaped = std::malloc(64);
            std::free(escaped);
            escaped = std::aligned_alloc(64, 256);
            std::free(escaped);
          }) == 2);
    CHECK(testing::allocations_during([] {}) == 0);
  }

  TEST_CASE("cosine Siamese network: no allocation after the first step") {
    check_steady_state(shipped_model("models/cosine_siamese.yaml"), "data/pairs_val.tsv");
  }

  TEST_CASE("triplet network: no allocation after the first step") {
    check_steady_state(shipped_model("models/triplet.yaml"), "data/triplets_val.tsv");
  }

  TEST_CASE("shared layers run on stacked batches: no allocation after the first step") {
    check_steady_state(shipped_model("models/cosine_siamese.yaml", "  batch_size: 64",
                                     "  batch_size: 64\n  stack_shared: true"),
                       "data/pairs_val.tsv");
    check_steady_state(
        shipped_model("models/triplet.yaml", "train:", "train:\n  stack_shared: true"),
        "data/triplets_val.tsv");
  }

  TEST_CASE("cosine Siamese network with subwords: no allocation after the first step") {
    check_steady_state(shipped_model("models/cosine_siamese.yaml", "    mask_zero: true",
                                     "    mask_zero: true\n    subwords: {buckets: 1000}"),
                       "data/pairs_val.tsv");
  }
}

}  // namespace
}  // namespace twinflow::runtime
