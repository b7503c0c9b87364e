// build_model on specs whose few lines ask for a huge graph: Sequentials applied inside
// Sequentials multiply their layers' calls, ten to the depth. The build must stay linear in
// the nodes it makes and stop at kMaxNodes with an error at the definition that asked.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "graph/model/model.h"
#include "graph/spec/spec.h"

namespace twinflow::graph {
namespace {

// A Dense layer d, t0 = Sequential of ten d, and t_k = Sequential of ten t_(k-1) up to
// t_(depth-1): applying the last one makes 10^depth Dense nodes. The definition y is on
// line depth + 6.
std::string nested_sequentials(int depth) {
  std::string text =
      "model: nested\n"
      "inputs: {x: {shape: [3]}}\n"
      "layers:\n"
      "  d: {op: Dense, units: 3}\n";
  for (int k = 0; k < depth; ++k) {
    const std::string inner = k == 0 ? "d" : fmt::format("t{}", k - 1);
    std::string list;
    for (int i = 0; i < 10; ++i) list += (i ? ", " : "") + inner;
    text += fmt::format("  t{}: {{op: Sequential, layers: [{}]}}\n", k, list);
  }
  return text + fmt::format("graph:\n  y: t{}(x)\noutputs: [y]\n", depth - 1);
}

std::optional<Model> build_nested(const std::string& text, Diagnostics& diags) {
  const std::optional<ModelSpec> spec = parse_spec(text, "nested.yaml", diags);
  REQUIRE_MESSAGE(spec.has_value(), diags.to_string());
  return build_model(*spec, diags);
}

TEST_SUITE("graph.model") {
  // Every node name was searched from base_2 up and looked up among all values one by one:
  // 10,000 nodes took 48 s (now 0.05 s; the suite's own time shows a relapse).
  TEST_CASE("a graph of kMaxNodes nodes from nested Sequentials builds, named in order") {
    Diagnostics diags;
    const std::optional<Model> model = build_nested(nested_sequentials(4), diags);
    REQUIRE_MESSAGE(model.has_value(), diags.to_string());
    CHECK(model->graph->nodes().size() == kMaxNodes);
    // Names are handed out in order: the 10,000 Dense calls of t3 are y/t2/t1/t0/d and
    // d_2 ... in their scope, the last call of each Sequential taking its caller's name.
    CHECK(model->graph->find_value("y/t2/t1/t0/d_2"));
    CHECK(model->graph->find_value("y/t2/t1/t0/d_9000"));
    CHECK(model->graph->nodes().back().name == "y");
  }

  // Found by reading the build while writing tests/fuzz/fuzz_spec.cc: six lines of Sequentials
  // (a 700-byte spec) asked for 10^6 nodes and `twinflow check` ran for hours.
  TEST_CASE("nested Sequentials past kMaxNodes are refused at the definition, once") {
    Diagnostics diags;
    CHECK_FALSE(build_nested(nested_sequentials(6), diags).has_value());
    INFO(diags.to_string());
    REQUIRE(diags.error_count() == 1);
    const Diagnostic& d = diags.all().front();
    CHECK(d.loc.line == 12);
    CHECK(d.message.find("(Dense): the graph already holds 10000 nodes, the most a model may "
                         "have (Sequentials applied inside Sequentials multiply their layers' "
                         "calls)") != std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::graph
