// The model summary and sharing report: the rows they must show, with parameter counts worked
// out by hand for the small Siamese (emb 50·8 = 400; bilstm 2·4·5·(8 + 5 + 1) = 560; head 2).
#include "graph/model/summary.h"

#include <doctest/doctest.h>

#include <sstream>

#include "tests/graph/spec_builders.h"

namespace twinflow::graph {
namespace {

using namespace testing;

// The line of a table whose first cell is `first`; "" when there is none.
std::string row(const std::string& text, const std::string& first) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream cells(line);
    std::string cell;
    if (cells >> cell && cell == first) return line;
  }
  return {};
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_SUITE("graph.summary") {
  TEST_CASE("thousands separators") {
    CHECK(with_thousands(0) == "0");
    CHECK(with_thousands(999) == "999");
    CHECK(with_thousands(1000) == "1,000");
    CHECK(with_thousands(60400) == "60,400");
    CHECK(with_thousands(2000000) == "2,000,000");
    CHECK(with_thousands(-1234) == "-1,234");
  }

  TEST_CASE("the Siamese summary lists calls in build order, each shared layer counted once") {
    Diagnostics diags;
    const Model m = build_ok(small_cosine_siamese(), diags);
    const std::string s = model_summary(m);
    INFO(s);
    CHECK(has(s, "Model: cosine_siamese"));
    const std::string left = row(s, "left");
    CHECK(has(left, "[B, 6]"));
    CHECK(has(left, "int32"));
    CHECK(has(row(s, "label"), "float32"));

    const std::string emb1 = row(s, "x1.emb");
    CHECK(has(emb1, "emb (Embedding)"));
    CHECK(has(emb1, "[B, 6, 8]"));
    CHECK(has(emb1, "400 shared ×2"));
    CHECK(emb1.ends_with("left"));
    CHECK(has(row(s, "x1"), "560 shared ×2"));
    CHECK(has(row(s, "x2.emb"), "(shared)"));
    CHECK(has(row(s, "x2"), "(shared)"));
    const std::string dist = row(s, "pred.dist");
    CHECK(has(dist, "dist (Lambda)"));
    CHECK(has(dist, "[B, 1]"));
    CHECK(dist.ends_with("x1, x2"));
    CHECK(has(row(s, "pred"), "head (Dense)"));
    CHECK(s.find("x1.emb") < s.find("x2.emb"));
    CHECK(s.find("x2.emb") < s.find("pred.dist"));

    // The layers table: one row per layer.
    const std::string bilstm = row(s, "bilstm");
    CHECK(has(bilstm, "Bidirectional"));
    CHECK(has(bilstm, "560"));
    CHECK(bilstm.ends_with("×2"));
    CHECK(row(s, "head").ends_with("×1"));
    CHECK(has(s, "Outputs: pred [B, 1]"));
    CHECK(has(s, "Loss: binary_crossentropy(pred=pred, target=label) -> []"));
    CHECK(has(s, "Total params: 962\n"));
    CHECK(has(s, "Trainable params: 962\n"));
    CHECK(has(s, "Frozen params: 0\n"));
  }

  TEST_CASE("a frozen layer's parameters are counted as frozen, large counts get commas") {
    ModelSpec spec = small_cosine_siamese();
    spec.layers[0] = embedding("emb", 20000, 100, true, 6);
    spec.layers[0].trainable = false;
    Diagnostics diags;
    const Model m = build_ok(spec, diags);
    const std::string s = model_summary(m);
    INFO(s);
    // bilstm now reads 100 features: 2·4·5·(100 + 5 + 1) = 4,240.
    CHECK(has(row(s, "x1.emb"), "2,000,000 shared ×2"));
    CHECK(has(s, "Total params: 2,004,242\n"));
    CHECK(has(s, "Trainable params: 4,242\n"));
    CHECK(has(s, "Frozen params: 2,000,000\n"));
  }

  TEST_CASE("a Sequential is one row whose parameters are its layers'") {
    Diagnostics diags;
    const Model m = build_ok(small_triplet(), diags);
    const std::string s = model_summary(m);
    INFO(s);
    // emb 400 + bilstm 560 + hidden 10·7 + 7 + out 7·4 + 4 = 1,069.
    const std::string a = row(s, "a");
    CHECK(has(a, "tower (Sequential)"));
    CHECK(has(a, "[B, 4]"));
    CHECK(has(a, "1,069 shared ×3"));
    CHECK(has(row(s, "p"), "(shared)"));
    CHECK(row(s, "a/emb").empty());  // inner nodes are not listed
    CHECK(has(row(s, "z"), "[B, 12]"));
    CHECK(row(s, "emb").ends_with("×3"));
    CHECK(row(s, "tower").ends_with("×3"));
    CHECK(has(row(s, "third"), "Slice"));
    CHECK(has(s, "Loss: expression: mean("));
    CHECK(has(s, "Total params: 1,069\n"));
  }

  TEST_CASE("the sharing report names the nodes using each layer") {
    Diagnostics diags;
    const Model m = build_ok(small_cosine_siamese(), diags);
    const std::string r = sharing_report(m);
    INFO(r);
    CHECK(has(r, "emb (Embedding, 400 params) shared ×2: x1.emb, x2.emb\n"));
    CHECK(has(r, "bilstm (Bidirectional, 560 params) shared ×2: x1, x2\n"));
    CHECK(has(r, "head (Dense, 2 params) used once: pred\n"));
  }
}

}  // namespace
}  // namespace twinflow::graph
