// Backward announces each parameter's gradient the moment it is complete, which is what lets the
// processes of a run sum gradients while backward still computes others
// (runtime/train/gradient_exchange.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "runtime/exec/reference_models.h"
#include "tests/testing/model_data.h"

namespace twinflow::autograd {
namespace {

using graph::ValueId;

TEST_CASE("backward announces every parameter once, complete, in gradient_order's order") {
  const runtime::SiameseConfig config = testing::tiny_siamese(30);
  auto model = runtime::cosine_siamese(config);
  runtime::ParameterStore<double> params(*model.graph, 3);
  const int64_t n = 5;
  const ops::IdTensor left = testing::random_ids(n, config.seq_len, 30, 7);
  const ops::IdTensor right = testing::random_ids(n, config.seq_len, 30, 8);
  ops::Tensor<double> label(graph::Shape{n, 1});
  for (int64_t i = 0; i < n; ++i) label.data[static_cast<size_t>(i)] = static_cast<double>(i % 2);

  runtime::Executor<double> exec(*model.graph, params);
  exec.feed_ids("left", &left);
  exec.feed_ids("right", &right);
  exec.feed("label", &label);
  exec.forward(false, 1);
  params.zero_grad();
  // A copy of each gradient as it stood when announced.
  std::vector<ValueId> announced;
  std::map<ValueId, std::vector<double>> at_announcement;
  exec.backward(model.loss, 1.0, [&](ValueId v) {
    announced.push_back(v);
    const auto& g = params.find(v)->grad.data;
    at_announcement[v].assign(g.begin(), g.end());
  });

  CHECK(announced == exec.tape().gradient_order(model.loss));
  REQUIRE(announced.size() == params.all().size());  // every parameter is trainable here
  for (const auto& p : params.all()) {
    CAPTURE(p.name);
    CHECK(std::count(announced.begin(), announced.end(), p.value) == 1);
    CHECK(testing::max_abs(p.grad.data) > 1e-8);
    // Nothing was added after the announcement: the copy is the final gradient, bit for bit.
    CHECK(at_announcement.at(p.value) ==
          std::vector<double>(p.grad.data.begin(), p.grad.data.end()));
  }
  // The shared tower's parameters are complete only when both towers' backward has run: the
  // embedding, read first by the left tower, comes last; the head, read last, comes first.
  const auto position = [&](std::string_view name) {
    return std::find(announced.begin(), announced.end(), params.find(name)->value) -
           announced.begin();
  };
  for (const auto& p : params.all()) {
    if (p.name.rfind("emb", 0) == 0) CHECK(position(p.name) == std::ssize(announced) - 1);
    if (p.name.rfind("head", 0) == 0) CHECK(position(p.name) < 2);
  }
}

}  // namespace
}  // namespace twinflow::autograd
