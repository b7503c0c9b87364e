// Rendering in-process with libgvc: SVG and PNG bytes, and clear errors from Graphviz.
#include <doctest/doctest.h>

#include "tests/viz/viz_testing.h"
#include "tools/viz/backward_view.h"

namespace twinflow::testing {

TEST_SUITE("viz.render") {
  TEST_CASE("SVG and PNG of every shipped model, forward and backward") {
    for (const std::string name :
         {"cosine_siamese", "triplet", "triplet_distance", "manhattan_siamese"}) {
      CAPTURE(name);
      const graph::Model m = shipped_model(name);
      const viz::Drawing forward = viz::forward_view(m, {.expand_all = true, .group = true});
      const std::string svg = viz::render(viz::to_dot(forward), "svg");
      CHECK(svg.rfind("<?xml", 0) == 0);
      CHECK(svg.find("<svg") != std::string::npos);
      // Node ids reach the SVG as <title>s, which the HTML viewer keys its details by.
      CHECK(svg.find("<title>in:" + m.spec.inputs.front().name + "</title>") != std::string::npos);
      const std::string png = viz::render(viz::to_dot(viz::backward_view(m, forward)), "png");
      REQUIRE(png.size() > 8);
      CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    }
  }

  TEST_CASE("Graphviz's errors become exceptions with its message") {
    CHECK_THROWS_AS(viz::parse_dot("digraph { a -> }"), viz::GraphvizError);
    CHECK_THROWS_WITH_AS(viz::render("digraph { a -> b }", "no-such-format"),
                         doctest::Contains("no-such-format"), viz::GraphvizError);
    const viz::ParsedDot dot = viz::parse_dot("digraph { subgraph cluster_x { a } a -> b }");
    CHECK(dot.nodes.size() == 2);
    CHECK(dot.clusters == std::vector<std::string>{"cluster_x"});
  }
}

}  // namespace twinflow::testing
