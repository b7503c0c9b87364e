// Rendering in-process with libgvc: SVG and PNG bytes, and clear errors from Graphviz.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "tests/viz/viz_testing.h"
#include "tools/viz/backward_view.h"

namespace twinflow::testing {

namespace {

// SVG drops a text run's leading and trailing ASCII blanks; the gap survives only as a no-break
// space (Graphviz writes "  " as " &#160;"). A run opening or closing with a lone blank loses the
// space between its words and the neighbouring run's: "emb" + " parameters" shows
// "embparameters".
bool drops_a_gap(const std::string& run) {
  const auto kept = [](std::string_view s) {
    return s.starts_with("&#160;") || s.starts_with("\u00a0");
  };
  const auto kept_before = [](std::string_view s) {
    return s.ends_with("&#160;") || s.ends_with("\u00a0");
  };
  if (run.starts_with(' ') && !kept(std::string_view(run).substr(1))) return true;
  return run.ends_with(' ') && !kept_before(std::string_view(run).substr(0, run.size() - 1));
}

}  // namespace

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

  TEST_CASE("no word gap is lost: no SVG text run opens or closes with a blank SVG drops") {
    for (const std::string name :
         {"cosine_siamese", "triplet", "triplet_distance", "manhattan_siamese"}) {
      CAPTURE(name);
      const graph::Model m = shipped_model(name);
      const viz::Drawing forward = viz::forward_view(m, {.expand_all = true, .group = true});
      for (const viz::Drawing& d : {forward, viz::backward_view(m, forward)}) {
        const std::string svg = viz::render(viz::to_dot(d), "svg");
        int runs = 0;
        for (size_t at = svg.find("<text"); at != std::string::npos;
             at = svg.find("<text", at + 1)) {
          const size_t begin = svg.find('>', at) + 1;
          const std::string run = svg.substr(begin, svg.find("</text>", begin) - begin);
          CHECK_MESSAGE(!drops_a_gap(run), "'" << run << "'");
          ++runs;
        }
        CHECK(runs > 10);
      }
      // The grouped parameters read "<layer> parameters", the layer's name in bold.
      const std::string svg = viz::render(viz::to_dot(forward), "svg");
      CHECK(svg.find(">\u00a0parameters</text>") != std::string::npos);
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
