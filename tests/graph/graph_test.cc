#include "graph/ir/graph.h"

#include <doctest/doctest.h>

#include "graph/ir/attrs.h"
#include "ops/dense.h"

namespace twinflow::graph {
namespace {

const OpSchema& dense_schema() { return ops::op_def<ops::Dense>(); }

TEST_SUITE("graph") {
  TEST_CASE("shapes print the batch dimension as B and resolve negative axes") {
    const Shape s{kBatch, 30, 100};
    CHECK(s.to_string() == "[B, 30, 100]");
    CHECK(s.normalize_axis(-1) == 2);
    CHECK_THROWS_AS(s.normalize_axis(3), ShapeError);
    CHECK(shapes_compatible(s, Shape{64, 30, 100}));
    CHECK_FALSE(shapes_compatible(s, Shape{64, 31, 100}));
  }

  TEST_CASE("a layer applied twice shares one set of parameters") {
    Graph g;
    const ValueId a = g.add_input("a", Shape{kBatch, 5});
    const ValueId b = g.add_input("b", Shape{kBatch, 5});
    const LayerId head =
        g.add_layer("head", dense_schema(), DenseAttrs{3, Activation::kTanh, true});
    const ValueId ya = g.apply(head, {a}, "ya");
    const ValueId yb = g.apply(head, {b}, "yb");
    CHECK(g.value(ya).shape == Shape{kBatch, 3});
    CHECK(g.parameters().size() == 2);
    CHECK(g.value(g.parameters()[0]).name == "head.kernel");
    CHECK(g.value(g.parameters()[1]).name == "head.bias");
    CHECK(g.layer(head).uses.size() == 2);
    CHECK(g.node(g.value(ya).producer).inputs[1] == g.node(g.value(yb).producer).inputs[1]);
    CHECK(g.consumers(g.parameters()[0]).size() == 2);
  }

  TEST_CASE("applying a layer to inputs of another width names both uses") {
    Graph g;
    const ValueId a = g.add_input("a", Shape{kBatch, 5});
    const ValueId b = g.add_input("b", Shape{kBatch, 6});
    const LayerId head =
        g.add_layer("head", dense_schema(), DenseAttrs{3, Activation::kTanh, true});
    g.apply(head, {a}, "ya");
    CHECK_THROWS_WITH_AS(g.apply(head, {b}, "yb"),
                         doctest::Contains("node 'yb' applies layer 'head' to inputs of another "
                                           "shape than node 'ya'"),
                         GraphError);
  }

  TEST_CASE("a shape error names the node and the producer of every input") {
    Graph g;
    const ValueId x = g.add_input("x", Shape{kBatch, 5});
    const LayerId l1 = g.add_layer("first", dense_schema(), DenseAttrs{4, Activation::kRelu, true});
    const ValueId h = g.apply(l1, {x}, "h");
    const ValueId w = g.add_parameter("w", Shape{7, 2});
    try {
      g.add_node(dense_schema(), DenseAttrs{2, Activation::kLinear, false}, {h, w}, "out");
      FAIL("expected a GraphError");
    } catch (const GraphError& e) {
      const std::string msg = e.what();
      CHECK(msg.find("node 'out' (Dense)") != std::string::npos);
      CHECK(msg.find("kernel must be [4, 2]") != std::string::npos);
      CHECK(msg.find("from node 'h' (Dense)") != std::string::npos);
      CHECK(msg.find("from parameter 'w'") != std::string::npos);
    }
  }

  TEST_CASE("values cannot be defined twice and arity is checked") {
    Graph g;
    g.add_input("x", Shape{kBatch, 5});
    CHECK_THROWS_WITH_AS(g.add_input("x", Shape{kBatch, 5}), doctest::Contains("defined twice"),
                         GraphError);
    const ValueId x = *g.find_value("x");
    CHECK_THROWS_WITH_AS(
        g.add_node(dense_schema(), DenseAttrs{2, Activation::kLinear, true}, {x}, "y"),
        doctest::Contains("takes 2 to 3 input(s), got 1"), GraphError);
  }

  TEST_CASE("topological order puts dependencies first and names a cycle") {
    const std::vector<std::string> names{"pred", "x1", "emb", "x2"};
    const std::vector<std::vector<int>> deps{{1, 3}, {2}, {}, {2}};
    const auto order =
        topological_order(names, [&](int i) { return deps[static_cast<size_t>(i)]; });
    auto pos = [&](int def) { return std::find(order.begin(), order.end(), def) - order.begin(); };
    CHECK(order.size() == 4);
    CHECK(pos(2) < pos(1));
    CHECK(pos(2) < pos(3));
    CHECK(pos(1) < pos(0));
    CHECK(pos(3) < pos(0));

    const std::vector<std::vector<int>> cyclic{{1}, {3}, {}, {0}};
    CHECK_THROWS_WITH_AS(
        topological_order(names, [&](int i) { return cyclic[static_cast<size_t>(i)]; }),
        doctest::Contains("cycle: pred -> x1 -> x2 -> pred"), GraphError);
  }

  TEST_CASE("a long chain of definitions does not overflow the stack") {
    const int n = 200000;
    std::vector<std::string> names(static_cast<size_t>(n), "v");
    const auto order = topological_order(
        names, [&](int i) { return i + 1 < n ? std::vector<int>{i + 1} : std::vector<int>{}; });
    CHECK(order.front() == n - 1);
    CHECK(order.back() == 0);
  }
}

}  // namespace
}  // namespace twinflow::graph
