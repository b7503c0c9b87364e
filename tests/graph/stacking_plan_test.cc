// Which applications of a shared layer the stacking plan puts into one call, why it leaves the
// others alone, and that its run order puts every node after everything it reads.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "graph/ir/stacking.h"
#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "ops/reduce.h"
#include "ops/registry.h"
#include "tests/cli/run_cli.h"
#include "tests/testing/text_files.h"

namespace twinflow::graph {
namespace {

Model built(const std::string& text) {
  ops::register_builtin_ops();
  Diagnostics diags;
  const auto spec = parse_spec(text, "stack.yaml", diags);
  REQUIRE_MESSAGE(spec, diags.to_string());
  auto model = build_model(*spec, diags);
  REQUIRE_MESSAGE(model, diags.to_string());
  return std::move(*model);
}

Model shipped(const std::string& file) {
  return built(twinflow::testing::read_all(twinflow::testing::source_path(file)));
}

std::vector<std::string> names(const Graph& g, const StackGroup& group) {
  std::vector<std::string> out;
  for (NodeId n : group.nodes) out.push_back(g.node(n).name);
  return out;
}

// Every node exactly once, each after the producers of all its inputs.
void check_schedule(const Graph& g, const StackingPlan& plan) {
  std::vector<int> placed(g.nodes().size(), 0);
  const auto place = [&](NodeId n) {
    for (ValueId in : g.node(n).inputs)
      if (g.value(in).kind == ValueKind::kNodeOutput) {
        CAPTURE(g.node(n).name);
        CHECK(placed[static_cast<size_t>(g.value(in).producer)] == 1);
      }
  };
  for (const RunStep& step : plan.schedule) {
    const std::vector<NodeId> nodes = step.group < 0
                                          ? std::vector<NodeId>{step.node}
                                          : plan.groups[static_cast<size_t>(step.group)].nodes;
    for (NodeId n : nodes) place(n);
    for (NodeId n : nodes) ++placed[static_cast<size_t>(n)];
  }
  for (int count : placed) CHECK(count == 1);
}

const std::string kTwoDenses = R"(model: t
inputs:
  x: {shape: [4]}
  y: {shape: [4]}
  w: {shape: [2, 4]}
layers:
  a: {op: Dense, units: 4}
  b: {op: Dense, units: 4}
graph:
)";

TEST_SUITE("graph.stacking") {
  TEST_CASE("the cosine network: the Embedding and the LSTM each run once for both texts") {
    const Model m = shipped("models/cosine_siamese.yaml");
    const StackingPlan plan = plan_stacking(*m.graph);
    REQUIRE(plan.groups.size() == 2);
    CHECK(names(*m.graph, plan.groups[0]) == std::vector<std::string>{"x1.emb", "x2.emb"});
    CHECK(names(*m.graph, plan.groups[1]) == std::vector<std::string>{"x1", "x2"});
    check_schedule(*m.graph, plan);
    CHECK(plan.schedule.size() == m.graph->nodes().size() - 2);
    CHECK(stacking_report(*m.graph, plan) ==
          "  emb (Embedding): x1.emb + x2.emb as one call\n"
          "  bilstm (Bidirectional): x1 + x2 as one call\n");
  }

  TEST_CASE("the triplet network: every layer of the tower runs once for the three texts") {
    const Model m = shipped("models/triplet.yaml");
    const StackingPlan plan = plan_stacking(*m.graph);
    REQUIRE(plan.groups.size() == 4);
    CHECK(names(*m.graph, plan.groups[3]) ==
          std::vector<std::string>{"anchor_vec", "positive_vec", "negative_vec"});
    check_schedule(*m.graph, plan);
    for (const StackingPlan::LayerNote& note : plan.notes) CHECK(note.unstacked.empty());
  }

  TEST_CASE("applications to inputs of other shapes are left alone, and say so") {
    std::string text =
        twinflow::testing::read_all(twinflow::testing::source_path("models/cosine_siamese.yaml"));
    twinflow::testing::replace_once(text, "right: {shape: [30]", "right: {shape: [20]");
    const Model m = built(text);
    const StackingPlan plan = plan_stacking(*m.graph);
    CHECK(plan.groups.empty());
    check_schedule(*m.graph, plan);
    const std::string report = stacking_report(*m.graph, plan);
    CHECK(report.find("  emb (Embedding): x2.emb on its own: its inputs are [B, 20], those of "
                      "'x1.emb' are [B, 30]") != std::string::npos);
    CHECK(report.find("bilstm (Bidirectional): x1 on its own: its inputs are [B, 30, 100], [B, "
                      "30], those of 'x2' are [B, 20, 100], [B, 20]") != std::string::npos);
  }

  TEST_CASE("an application that reads another's output is left alone") {
    const Model m = built(kTwoDenses + "  h1: a(x)\n  h2: a(h1)\noutputs: [h2]\n");
    const StackingPlan plan = plan_stacking(*m.graph);
    CHECK(plan.groups.empty());
    CHECK(stacking_report(*m.graph, plan) ==
          "  a (Dense): h1 on its own: 'h2' reads its output\n"
          "  a (Dense): h2 on its own: it reads the output of 'h1'\n");
  }

  TEST_CASE("an op that is not known to work row by row is never stacked") {
    // A sum over the batch axis, as a layer applied twice (the graph API allows it).
    ops::register_builtin_ops();
    Graph g;
    const ValueId x = g.add_input("x", Shape{kBatch, 4}), y = g.add_input("y", Shape{kBatch, 4});
    const LayerId total = g.add_layer("total", ops::op_def<ops::Reduce<ops::ReduceFn::kSum>>(),
                                      ReduceAttrs{.axis = 0, .keepdims = false});
    g.apply(total, {x}, "t1");
    g.apply(total, {y}, "t2");
    const StackingPlan plan = plan_stacking(g);
    CHECK(plan.groups.empty());
    CHECK(stacking_report(g, plan) ==
          "  total (ReduceSum): t1 on its own: ReduceSum may mix the rows of a batch\n"
          "  total (ReduceSum): t2 on its own: ReduceSum may mix the rows of a batch\n");
  }

  TEST_CASE("of three applications, the two that agree are stacked") {
    const Model m =
        built(kTwoDenses + "  h1: a(x)\n  h2: a(w)\n  h3: a(y)\noutputs: [h1, h2, h3]\n");
    const StackingPlan plan = plan_stacking(*m.graph);
    REQUIRE(plan.groups.size() == 1);
    CHECK(names(*m.graph, plan.groups[0]) == std::vector<std::string>{"h1", "h3"});
    check_schedule(*m.graph, plan);
    CHECK(stacking_report(*m.graph, plan)
              .find("a (Dense): h2 on its own: its inputs are [B, 2, "
                    "4], those of 'h1' are [B, 4]") != std::string::npos);
  }

  TEST_CASE("two groups that would wait on each other: one of them is undone") {
    // a1 -> b1 and b2 -> a2: stacking {a1, a2} and {b1, b2} both would need each group
    // before the other.
    const Model m =
        built(kTwoDenses + "  a1: a(x)\n  b1: b(a1)\n  b2: b(y)\n  a2: a(b2)\noutputs: [b1, a2]\n");
    const StackingPlan plan = plan_stacking(*m.graph);
    REQUIRE(plan.groups.size() == 1);
    CHECK(names(*m.graph, plan.groups[0]) == std::vector<std::string>{"a1", "a2"});
    check_schedule(*m.graph, plan);
    CHECK(stacking_report(*m.graph, plan)
              .find("b (Dense): b1 on its own: stacked too, it would "
                    "wait on another group that waits on it") != std::string::npos);
  }

  TEST_CASE("without stacking, every node runs alone in graph order") {
    const Model m = shipped("models/triplet.yaml");
    const StackingPlan plan = unstacked_plan(*m.graph);
    CHECK(plan.groups.empty());
    REQUIRE(plan.schedule.size() == m.graph->nodes().size());
    for (size_t n = 0; n < plan.schedule.size(); ++n)
      CHECK(plan.schedule[n].node == static_cast<NodeId>(n));
  }
}

}  // namespace
}  // namespace twinflow::graph
