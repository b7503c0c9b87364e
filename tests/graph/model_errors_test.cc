// build_model on bad specs: every kind of error with its line:column and wording, several
// errors in one pass, no cascade from a failed definition, and the two warnings.
#include <doctest/doctest.h>

#include "graph/model/model.h"
#include "tests/graph/spec_builders.h"

namespace twinflow::graph {
namespace {

using namespace testing;

// Builds a spec that must fail, and returns what was found.
Diagnostics failing(const ModelSpec& spec) {
  Diagnostics diags;
  std::optional<Model> m;
  CHECK_NOTHROW(m = build_model(spec, diags));
  CHECK_FALSE(m.has_value());
  CHECK(diags.has_errors());
  return diags;
}

// The only error; fails the test when there are more or none.
Diagnostic only_error(const Diagnostics& diags) {
  INFO(diags.to_string());
  REQUIRE(diags.error_count() == 1);
  for (const Diagnostic& d : diags.all())
    if (d.severity == Severity::kError) return d;
  return {};
}

void check_at(const Diagnostic& d, int line, int column) {
  INFO(d.to_string());
  CHECK(d.loc.file == "t.yaml");
  CHECK(d.loc.line == line);
  CHECK(d.loc.column == column);
}

// x [3] -> f, a Dense(3): for definitions that chain without shape trouble.
ModelSpec dense_chain() {
  ModelSpec s;
  s.inputs = {real_input("x", Shape{3}, 2)};
  s.layers = {dense("f", 3, Activation::kTanh, 4)};
  return s;
}

TEST_SUITE("graph.model") {
  TEST_CASE("an undefined value is reported at its column, with a hint") {
    ModelSpec s = small_cosine_siamese();
    s.defs[0] = def("x1", "bilstm(emb(lft))", 11);
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message == "undefined value 'lft' in graph.x1 (did you mean 'left'?)");
    check_at(d, 11, kDefColumn + 11);
  }

  TEST_CASE("an unknown layer called as a function gets a hint") {
    ModelSpec s = small_cosine_siamese();
    s.defs[1] = def("x2", "bilstn(emb(right))", 12);
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message == "unknown layer 'bilstn' in graph.x2 (did you mean 'bilstm'?)");
    check_at(d, 12, kDefColumn);
  }

  TEST_CASE("a name defined twice names its first definition") {
    ModelSpec s = small_cosine_siamese();
    s.defs.push_back(def("left", "head(x1)", 16));
    s.layers.push_back(dense("label", 2, Activation::kLinear, 10));
    const Diagnostics diags = failing(s);
    INFO(diags.to_string());
    CHECK(diags.error_count() == 2);
    const auto as_value = find_diagnostics(diags, "name 'left' is defined twice");
    REQUIRE(as_value.size() == 1);
    CHECK(as_value[0].message == "name 'left' is defined twice (first as input at line 2)");
    check_at(as_value[0], 16, 3);
    const auto as_layer = find_diagnostics(diags, "name 'label' is defined twice");
    REQUIRE(as_layer.size() == 1);
    CHECK(as_layer[0].message == "name 'label' is defined twice (first as input at line 4)");

    // A value named like a layer: its readers are skipped, not told that 'emb' is a layer.
    ModelSpec layer_named = small_cosine_siamese();
    layer_named.defs.push_back(def("emb", "head(x1)", 16));
    layer_named.defs.push_back(def("y", "head(emb)", 17));
    CHECK(only_error(failing(layer_named)).message ==
          "name 'emb' is defined twice (first as layer at line 6)");
  }

  TEST_CASE("a cycle among definitions names it once; its readers are skipped") {
    ModelSpec s = dense_chain();
    s.defs = {def("a", "f(b)", 10), def("b", "f(a)", 11), def("c", "f(a)", 12),
              def("d", "f(x)", 13)};
    s.outputs = {ref("c", 14), ref("d", 14)};
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message.find("a -> b -> a") != std::string::npos);
    CHECK(d.message.find("cycle") != std::string::npos);
    check_at(d, 10, 3);
  }

  TEST_CASE("a layer called with the wrong number of values") {
    ModelSpec s = small_cosine_siamese();
    s.defs[2] = def("pred", "head(x1, x2)", 13);
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message == "layer 'head' (Dense) takes 1 value, got 2 in graph.pred");
    check_at(d, 13, kDefColumn);

    s.defs[2] = def("pred", "head(dist(x1))", 13);
    const Diagnostic lambda = only_error(failing(s));
    CHECK(lambda.message == "layer 'dist' (Lambda) takes 2 values, got 1 in graph.pred");
    check_at(lambda, 13, kDefColumn + 5);
  }

  TEST_CASE("arithmetic, numbers and keywords in the graph point to a Lambda layer") {
    ModelSpec s = small_cosine_siamese();
    s.defs[2] = def("pred", "x1 - x2", 13);
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message.find("'x1 - x2' in graph.pred is not a layer call") != std::string::npos);
    CHECK(d.message.find("Lambda") != std::string::npos);
    check_at(d, 13, kDefColumn);

    s.defs[2] = def("pred", "head(0.5)", 13);
    check_at(only_error(failing(s)), 13, kDefColumn + 5);

    s.defs[2] = def("pred", "head(x=x1)", 13);
    const Diagnostic keyword = only_error(failing(s));
    CHECK(keyword.message.find("keyword 'x='") != std::string::npos);
    check_at(keyword, 13, kDefColumn + 5);
  }

  TEST_CASE("a value called as a layer and a layer passed as a value") {
    ModelSpec s = small_cosine_siamese();
    s.defs[2] = def("pred", "x1(x2)", 13);
    CHECK(only_error(failing(s)).message ==
          "'x1' in graph.pred is a value, not a layer: only layers can be called");
    s.defs[2] = def("pred", "head(emb)", 13);
    CHECK(only_error(failing(s)).message.find("'emb' in graph.pred is a layer, not a value") == 0);
  }

  TEST_CASE("a Sequential that contains itself is an error, not a endless recursion") {
    ModelSpec s = dense_chain();
    s.layers.push_back(sequential("tower", {"f", "loop"}, 5));
    s.layers.push_back(sequential("loop", {"tower"}, 6));
    s.defs = {def("y", "tower(x)", 10), def("z", "f(y)", 11)};
    s.outputs = {ref("z", 12)};
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message == "Sequential 'tower' contains itself: tower -> loop -> tower");
    check_at(d, 5, 3);
  }

  TEST_CASE("an unknown layer inside a Sequential is reported where it is listed") {
    ModelSpec s = dense_chain();
    s.layers.push_back(sequential("tower", {"f", "g"}, 5));
    s.defs = {def("y", "tower(x)", 10)};
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message.find("unknown layer 'g' in Sequential 'tower'") == 0);
    check_at(d, 5, 48);
  }

  TEST_CASE("a layer applied to inputs of different widths names both nodes at the call") {
    ModelSpec s;
    s.inputs = {real_input("a", Shape{3}, 2), real_input("b", Shape{4}, 3)};
    s.layers = {dense("head", 2, Activation::kLinear, 5)};
    s.defs = {def("ya", "head(a)", 10), def("yb", "head(b)", 11)};
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message.find("node 'yb' applies layer 'head'") == 0);  // no location prefix
    CHECK(d.message.find("node 'ya'") != std::string::npos);
    check_at(d, 11, kDefColumn);
  }

  TEST_CASE("a shape error names the node, its op and the producers of its inputs") {
    ModelSpec s;
    s.inputs = {real_input("a", Shape{3}, 2), real_input("b", Shape{4, 2}, 3)};
    s.layers = {dense("proj", 2, Activation::kLinear, 5),
                layer("cat", "Concatenate", ConcatenateAttrs{-1}, 6)};
    s.defs = {def("z", "cat(proj(a), b)", 10)};
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message.find("node 'z' (Concatenate)") == 0);
    CHECK(d.message.find("node 'z.proj' (Dense)") != std::string::npos);
    CHECK(d.message.find("input 'b'") != std::string::npos);
    check_at(d, 10, kDefColumn);
  }

  TEST_CASE("a Lambda's expression errors point into the expression") {
    ModelSpec s = small_cosine_siamese();
    s.layers[2] = lambda("dist", {"a", "b"}, {"exp(-(1 - cosin(a, b)))"}, 8, 30);
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message.find("layer 'dist' (Lambda)") == 0);
    CHECK(d.message.find("unknown function 'cosin' (did you mean 'cosine'?)") != std::string::npos);
    check_at(d, 8, 30 + 10);

    s.layers[2] = lambda("dist", {"a", "b"}, {"exp(-(1 - cosine(a, b))"}, 8, 30);
    const Diagnostic syntax = only_error(failing(s));  // once, although the layer is called
    CHECK(syntax.loc.line == 8);
    CHECK(syntax.loc.column > 30);
  }

  TEST_CASE("a Slice by parts needs an axis that divides evenly") {
    ModelSpec s;
    s.inputs = {real_input("x", Shape{10}, 2)};
    s.layers = {slice_part("third", 0, 3, 4)};
    s.defs = {def("t", "third(x)", 6)};
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message.find("layer 'third' (Slice)") == 0);
    CHECK(d.message.find("size 10") != std::string::npos);
    CHECK(d.message.find("3 equal parts") != std::string::npos);
    check_at(d, 6, kDefColumn);
  }

  TEST_CASE("an initializer for a parameter the layer does not have") {
    ModelSpec s = small_cosine_siamese();
    s.layers[0].initializers = {{"kernel", Initializer{Init::kGlorotUniform}}};
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message.find("layer 'emb' (Embedding) has no parameter 'kernel'") == 0);
    CHECK(d.message.find("embeddings") != std::string::npos);
    check_at(d, 6, 3);

    s = small_cosine_siamese();
    s.layers[1].initializers = {{"recurrent_kernl", Initializer{Init::kOrthogonal}}};
    CHECK(only_error(failing(s)).message.find("(did you mean 'recurrent_kernel_initializer'?)") !=
          std::string::npos);
  }

  TEST_CASE("outputs and loss roles must name defined values") {
    ModelSpec s = small_cosine_siamese();
    s.outputs = {ref("prd", 14)};
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message == "output 'prd' is not defined (did you mean 'pred'?)");
    check_at(d, 14, 12);

    s = small_cosine_siamese();
    s.inputs.pop_back();  // no label
    const Diagnostic target = only_error(failing(s));
    CHECK(target.message == "loss target 'label' is not defined");
    check_at(target, 15, 50);
  }

  TEST_CASE("an expression loss must name defined values and give a scalar") {
    ModelSpec s = small_cosine_siamese();
    s.loss = expression_loss("mean(x1 - x3)", 15, 20);
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message == "undefined value 'x3' in the loss expression (did you mean 'x1'?)");
    check_at(d, 15, 20 + 10);

    s.loss = expression_loss("sum(square(x1 - x2), -1)", 15, 20);
    const Diagnostic scalar = only_error(failing(s));
    CHECK(scalar.message.find("the loss must be a scalar") == 0);
    CHECK(scalar.message.find("[B]") != std::string::npos);

    s.loss = expression_loss("mean(cosin(x1, x2))", 15, 20);
    const Diagnostic fn = only_error(failing(s));
    CHECK(fn.message.find("unknown function 'cosin'") != std::string::npos);
    check_at(fn, 15, 20 + 5);
  }

  TEST_CASE("independent errors are all reported in one pass") {
    ModelSpec s = small_cosine_siamese();
    s.defs[0] = def("x1", "bilstn(emb(left))", 11);
    s.defs[1] = def("x2", "bilstm(emb(rght))", 12);
    s.outputs = {ref("prd", 14)};
    const Diagnostics diags = failing(s);
    INFO(diags.to_string());
    CHECK(diags.error_count() == 3);
    CHECK(find_diagnostics(diags, "unknown layer 'bilstn'").size() == 1);
    CHECK(find_diagnostics(diags, "undefined value 'rght'").size() == 1);
    CHECK(find_diagnostics(diags, "output 'prd'").size() == 1);
  }

  TEST_CASE("several mistakes in one definition are each reported") {
    ModelSpec s = small_cosine_siamese();
    s.defs[0] = def("x1", "bilstn(emb(lft))", 11);
    const Diagnostics diags = failing(s);
    CHECK(diags.error_count() == 2);
  }

  TEST_CASE("a failed definition does not cascade into the values that read it") {
    ModelSpec s = small_cosine_siamese();
    s.defs[0] = def("x1", "bilstm(emb(left, right))", 11);
    const Diagnostic d = only_error(failing(s));  // pred, the output and the loss are skipped
    CHECK(d.message.find("layer 'emb' (Embedding) takes 1 value, got 2") == 0);

    ModelSpec shapes = small_cosine_siamese();
    shapes.inputs[1] = real_input("right", Shape{6}, 3);  // real, not ids: Embedding refuses
    const Diagnostic shape = only_error(failing(shapes));
    INFO(shape.message);
    CHECK(shape.message.find("node 'x2.emb' applies layer 'emb' (Embedding)") == 0);
  }

  TEST_CASE("attributes of the wrong type are an error, never an exception") {
    ModelSpec s = small_cosine_siamese();
    s.layers[3].attrs = EmbeddingAttrs{3, 3, false};
    const Diagnostic d = only_error(failing(s));
    CHECK(d.message.find("layer 'head'") != std::string::npos);
  }
}

TEST_SUITE("graph.model") {
  TEST_CASE("an input nothing reads is a warning") {
    ModelSpec s = small_cosine_siamese();
    s.inputs.push_back(real_input("extra", Shape{2}, 5));
    Diagnostics diags;
    const Model m = build_ok(s, diags);
    REQUIRE(diags.warning_count() == 1);
    CHECK(diags.all()[0].message == "input 'extra' is never used");
    check_at(diags.all()[0], 5, 3);
  }

  TEST_CASE("identical layers on parallel branches warn that they are not shared") {
    ModelSpec s = small_cosine_siamese();
    s.layers.push_back(embedding("emb2", 50, 8, true, 10));
    s.defs[1] = def("x2", "bilstm(emb2(right))", 12);
    Diagnostics diags;
    const Model m = build_ok(s, diags);
    INFO(diags.to_string());
    REQUIRE(diags.warning_count() == 1);
    CHECK(diags.all()[0].message ==
          "layers 'emb' and 'emb2' have identical configurations and are applied on parallel "
          "branches (x1.emb, x2.emb2) but do not share parameters; if the branches should "
          "share weights, call one layer in both");
    check_at(diags.all()[0], 10, 3);
  }

  TEST_CASE("no sharing warning for shared, different or stacked layers") {
    Diagnostics shared;
    build_ok(small_cosine_siamese(), shared);
    CHECK(shared.all().empty());

    ModelSpec different = small_cosine_siamese();
    different.layers.push_back(embedding("emb2", 50, 8, false, 10));  // no mask_zero
    different.defs[1] = def("x2", "bilstm(emb2(right))", 12);
    Diagnostics d1;
    build_ok(different, d1);
    CHECK(d1.warning_count() == 0);

    ModelSpec stacked = dense_chain();
    stacked.layers.push_back(dense("g", 3, Activation::kTanh, 5));
    stacked.defs = {def("y", "g(f(x))", 10)};
    stacked.outputs = {ref("y", 11)};
    Diagnostics d2;
    build_ok(stacked, d2);
    CHECK(d2.warning_count() == 0);
  }
}

}  // namespace
}  // namespace twinflow::graph
