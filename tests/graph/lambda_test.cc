// The Lambda compiler: which primitives an expression lowers to, the values they compute
// (worked out by hand), their gradients against finite differences, and the errors.
#include "graph/lambda/lambda.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/tape.h"
#include "graph/ir/attrs.h"
#include "tests/testing/op_check.h"

namespace twinflow::graph {
namespace {

using autograd::Tape;
using ops::Tensor;

struct Built {
  Graph g;
  std::vector<ValueId> args;
  ValueId out = -1;
};

// One graph input per argument (named after it), then the compiled expression.
Built build(std::string_view text, const std::vector<std::string>& names,
            const std::vector<Shape>& shapes, const std::string& lambda = "dist") {
  Built b;
  for (size_t i = 0; i < names.size(); ++i) b.args.push_back(b.g.add_input(names[i], shapes[i]));
  b.out = compile_lambda(b.g, lambda, text, names, b.args);
  return b;
}

std::vector<std::string> node_ops(const Graph& g) {
  std::vector<std::string> ops;
  for (const Node& n : g.nodes()) ops.emplace_back(n.op->name);
  return ops;
}

// Forward value of the expression with args bound to data of the given concrete shapes.
Tensor<double> evaluate(const Built& b, const std::vector<Shape>& shapes,
                        const std::vector<std::vector<double>>& data) {
  Tape<double> tape(b.g);
  std::vector<Tensor<double>> inputs;
  inputs.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    inputs.emplace_back(shapes[i]);
    inputs.back().data.assign(data[i].begin(), data[i].end());
    tape.bind(b.args[i], &inputs.back());
  }
  tape.forward(false, 1);
  return tape.value(b.out);
}

// Evaluates `text` over x and y [2, 4] (see the test below for the data).
Tensor<double> eval_xy(std::string_view text) {
  const std::vector<Shape> concrete{Shape{2, 4}, Shape{2, 4}};
  const Built b = build(text, {"x", "y"}, {Shape{kBatch, 4}, Shape{kBatch, 4}});
  return evaluate(b, concrete, {{1, 5, 2, 4, 3, -2, 0, 6}, {2, 0, 1, 1, 1, 1, -1, 3}});
}

// d(Σ dy ⊙ out)/d(arg) for every argument, at random data of the given shapes, in float64.
autograd::GradCheckReport gradcheck(std::string_view text, const std::vector<std::string>& names,
                                    const std::vector<Shape>& shapes, uint64_t seed) {
  std::vector<Shape> symbolic;
  for (const Shape& s : shapes) {
    Shape batch = s;
    batch[0] = kBatch;
    symbolic.push_back(batch);
  }
  const Built b = build(text, names, symbolic);
  autograd::Feeds feeds;
  for (size_t i = 0; i < shapes.size(); ++i) {
    Tensor<double> t(shapes[i]);
    t.data = testing::random_normal(t.size(), seed + i);
    feeds.reals.emplace(b.args[i], std::move(t));
  }
  std::map<ValueId, Tensor<double>> no_params;
  autograd::GradCheckOptions options;
  options.tolerance = 1e-6;
  options.seed = seed;
  return autograd::check_gradients(b.g, feeds, no_params, b.out, b.args, options);
}

void check_values(const Tensor<double>& y, const Shape& shape, const std::vector<double>& want) {
  CHECK(y.shape == shape);
  REQUIRE(y.data.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(y.data[i] == doctest::Approx(want[i]));
}

// Compiles text over a [B, 3], b [B, 3], c [B, 4], which must fail; returns the error.
ExprError compile_error(std::string_view text, std::vector<std::string> names = {"a", "b", "c"}) {
  Graph g;
  std::vector<ValueId> args;
  for (const std::string& n : names)
    args.push_back(g.add_input(n, Shape{kBatch, n == "c" ? 4 : 3}));
  try {
    compile_lambda(g, "dist", text, names, args);
  } catch (const ExprError& e) {
    return e;
  }
  FAIL("no error for: ", std::string(text));
  return ExprError(text, 0, "");
}

void check_error(std::string_view text, int column, const std::vector<std::string>& words,
                 std::vector<std::string> names = {"a", "b", "c"}) {
  CAPTURE(text);
  const ExprError e = compile_error(text, std::move(names));
  INFO(e.what());
  CHECK(e.column() == column);
  for (const std::string& w : words) CHECK(e.message().find(w) != std::string::npos);
}

TEST_SUITE("graph") {
  TEST_CASE("Lambda: the cosine seed compiles to Cosine, Sub, Neg, Exp") {
    const Built b =
        build("exp(-(1 - cosine(a, b)))", {"a", "b"}, {Shape{kBatch, 2}, Shape{kBatch, 2}});
    CHECK(node_ops(b.g) == std::vector<std::string>{"Cosine", "Sub", "Neg", "Exp"});
    CHECK(b.g.nodes().front().name == "dist/Cosine0");
    CHECK(b.g.nodes().back().name == "dist/Exp0");
    for (const Node& n : b.g.nodes()) CHECK(n.scope == "dist");
    CHECK(b.g.value(b.out).shape == Shape{kBatch, 1});
    const ValueId one = b.g.node(1).inputs[0];
    CHECK(b.g.value(one).kind == ValueKind::kConstant);
    CHECK(b.g.value(one).constant == 1.0);
    // Row 0: a = [1, 0], b = [1, 1]: cos = 1 / (1 · √2) = 0.70711, exp(−(1 − 0.70711)) = 0.74610.
    // Row 1: a = [1, 2], b = [−2, 1]: a·b = −2 + 2 = 0, so exp(−1) = 0.36788.
    const Tensor<double> y = evaluate(b, {Shape{2, 2}, Shape{2, 2}}, {{1, 0, 1, 2}, {1, 1, -2, 1}});
    check_values(y, Shape{2, 1}, {0.7461018060799021, 0.36787944117144233});
  }

  TEST_CASE("Lambda: the triplet seed compiles to ten primitives and evaluates the hinge mean") {
    const std::vector<Shape> shapes(3, Shape{kBatch, 2});
    const Built b = build("mean(max(sum(square(a - p), -1) - sum(square(a - n), -1) + 0.4, 0))",
                          {"a", "p", "n"}, shapes);
    CHECK(node_ops(b.g) == std::vector<std::string>{"Sub", "Square", "ReduceSum", "Sub", "Square",
                                                    "ReduceSum", "Sub", "Add", "Maximum",
                                                    "ReduceMean"});
    CHECK(b.g.value(b.out).shape == Shape{});
    // Row 0: a = [1, 0], p = [1, 1], n = [0, 0]: |a−p|² = 1, |a−n|² = 1, max(1 − 1 + 0.4, 0) = 0.4.
    // Row 1: a = [0, 0], p = [0, 1], n = [3, 0]: |a−p|² = 1, |a−n|² = 9, max(1 − 9 + 0.4, 0) = 0.
    // Mean over the batch: (0.4 + 0) / 2 = 0.2.
    const std::vector<Shape> concrete(3, Shape{2, 2});
    const Tensor<double> y = evaluate(b, concrete, {{1, 0, 0, 0}, {1, 1, 0, 1}, {0, 0, 3, 0}});
    check_values(y, Shape{}, {0.2});
  }

  TEST_CASE("Lambda: each built-in evaluates correctly, by name and as a function") {
    const std::vector<Shape> shapes{Shape{kBatch, 2}, Shape{kBatch, 2}};
    const std::vector<Shape> concrete{Shape{2, 2}, Shape{2, 2}};
    auto run = [&](std::string_view text, const std::vector<std::vector<double>>& data) {
      return evaluate(build(text, {"u", "v"}, shapes), concrete, data);
    };
    // The cosine rows of the seed test: 0.74610 and exp(−1).
    check_values(run("exponent_neg_cosine_distance", {{1, 0, 1, 2}, {1, 1, -2, 1}}), Shape{2, 1},
                 {0.7461018060799021, 0.36787944117144233});
    // Row 0: |1 − 0| + |2 − 4| = 3 → exp(−3) = 0.049787; row 1: equal vectors → exp(0) = 1.
    check_values(run("exponent_neg_manhattan_distance", {{1, 2, 5, 5}, {0, 4, 5, 5}}), Shape{2, 1},
                 {0.049787068367863944, 1.0});
    // Row 0: √((1 − 4)² + (2 − 6)²) = √25 = 5; row 1: equal vectors → √(1e−7) = 3.1623e−4.
    check_values(run("euclidean_distance", {{1, 2, 5, 5}, {4, 6, 5, 5}}), Shape{2, 1},
                 {5.0, 0.00031622776601683794});
    // 3² + 4² = 25 and 0.
    check_values(run("squared_distance", {{1, 2, 5, 5}, {4, 6, 5, 5}}), Shape{2, 1}, {25.0, 0.0});
    // Inside expressions: 1 − 25 / 25 = 0 and 1 − 0 / 25 = 1; 2 · 5 = 10 and 2 · √1e−7.
    check_values(run("1 - squared_distance(u, v) / 25", {{1, 2, 5, 5}, {4, 6, 5, 5}}), Shape{2, 1},
                 {0.0, 1.0});
    check_values(run("2 * euclidean_distance(v, u)", {{1, 2, 5, 5}, {4, 6, 5, 5}}), Shape{2, 1},
                 {10.0, 2 * 0.00031622776601683794});
    CHECK(node_ops(build("squared_distance", {"u", "v"}, shapes).g) ==
          std::vector<std::string>{"Sub", "Square", "ReduceSum"});
  }

  TEST_CASE("Lambda: reductions, max/min forms, dot, norm, slice and part compute their values") {
    // x = [[1, 5, 2, 4], [3, −2, 0, 6]], y = [[2, 0, 1, 1], [1, 1, −1, 3]]
    check_values(eval_xy("sum(x)"), Shape{2}, {12, 7});
    check_values(eval_xy("sum(x, 0)"), Shape{4}, {4, 3, 2, 10});
    check_values(eval_xy("mean(x, axis=0, keepdims=true)"), Shape{1, 4}, {2, 1.5, 1, 5});
    check_values(eval_xy("max(x)"), Shape{2}, {5, 6});
    check_values(eval_xy("max(x, axis=0)"), Shape{4}, {3, 5, 2, 6});
    check_values(eval_xy("min(x, axis=-1)"), Shape{2}, {1, -2});
    check_values(eval_xy("min(x, keepdims=true)"), Shape{2, 1}, {1, -2});
    check_values(eval_xy("max(x, 2)"), Shape{2, 4}, {2, 5, 2, 4, 3, 2, 2, 6});
    check_values(eval_xy("min(x, y)"), Shape{2, 4}, {1, 0, 1, 1, 1, -2, -1, 3});
    check_values(eval_xy("maximum(x, y)"), Shape{2, 4}, {2, 5, 2, 4, 3, 1, 0, 6});
    check_values(eval_xy("minimum(x, 0)"), Shape{2, 4}, {0, 0, 0, 0, 0, -2, 0, 0});
    // 1·2 + 5·0 + 2·1 + 4·1 = 8; 3·1 − 2·1 + 0 + 6·3 = 19.
    check_values(eval_xy("dot(x, y)"), Shape{2, 1}, {8, 19});
    check_values(eval_xy("dot(x, y, keepdims=false)"), Shape{2}, {8, 19});
    // |y0| = √(4 + 0 + 1 + 1) = √6, |y1| = √(1 + 1 + 1 + 9) = √12; |x0| = √46, |x1| = √49 = 7.
    check_values(eval_xy("norm(y)"), Shape{2, 1}, {std::sqrt(6.0), std::sqrt(12.0)});
    check_values(eval_xy("cosine(x, y)"), Shape{2, 1},
                 {8 / (std::sqrt(46.0) * std::sqrt(6.0)), 19 / (7 * std::sqrt(12.0))});
    check_values(eval_xy("slice(x, 1, 3)"), Shape{2, 2}, {5, 2, -2, 0});
    check_values(eval_xy("slice(x, 0, 1, axis=0)"), Shape{1, 4}, {1, 5, 2, 4});
    check_values(eval_xy("part(x, 1, 2)"), Shape{2, 2}, {2, 4, 0, 6});
    check_values(eval_xy("part(x, 0, 4)"), Shape{2, 1}, {1, 3});
    // x / 2 − (−y) = x / 2 + y.
    check_values(eval_xy("x / 2 - -y"), Shape{2, 4}, {2.5, 2.5, 2, 3, 2.5, 0, -1, 6});
    check_values(eval_xy("relu(x - 1)"), Shape{2, 4}, {0, 4, 1, 3, 2, 0, 0, 5});
    check_values(eval_xy("sqrt(square(neg(x)))"), Shape{2, 4}, {1, 5, 2, 4, 3, 2, 0, 6});
    check_values(eval_xy("abs(log(exp(x))) * y"), Shape{2, 4}, {2, 0, 2, 4, 3, 2, 0, 18});
    const Tensor<double> t = eval_xy("tanh(x) + sigmoid(y)");
    CHECK(t.data[1] == doctest::Approx(std::tanh(5.0) + 0.5));
  }

  TEST_CASE("Lambda: arithmetic on numbers folds; numbers become broadcasting constants") {
    const Built b = build("a * (2 - 3) + 1 / 4", {"a"}, {Shape{kBatch, 2}});
    CHECK(node_ops(b.g) == std::vector<std::string>{"Mul", "Add"});
    CHECK(b.g.value(b.g.node(0).inputs[1]).constant == -1.0);
    CHECK(b.g.value(b.g.node(1).inputs[1]).constant == 0.25);
    CHECK(b.g.value(b.g.node(1).inputs[1]).name == "dist/Const1");
    // [1, 2] · −1 + 0.25 = [−0.75, −1.75].
    check_values(evaluate(b, {Shape{1, 2}}, {{1, 2}}), Shape{1, 2}, {-0.75, -1.75});
    CHECK(node_ops(build("-a", {"a"}, {Shape{2}}).g) == std::vector<std::string>{"Neg"});
    CHECK(node_ops(build("a - -1", {"a"}, {Shape{2}}).g) == std::vector<std::string>{"Sub"});
    const Built folded = build("1 + 2 * 3", {}, {});
    CHECK(folded.g.nodes().empty());
    CHECK(folded.g.value(folded.out).constant == 7.0);
    const Built identity = build("+a", {"a"}, {Shape{2}});
    CHECK(identity.out == identity.args[0]);
  }

  TEST_CASE("Lambda: gradients of compiled expressions match central differences") {
    struct Case {
      std::string text;
      std::vector<std::string> names;
      std::vector<Shape> shapes;
    };
    const std::vector<std::string> ab{"a", "b"};
    const std::vector<std::string> apn{"a", "p", "n"};
    const std::string triplet =
        "mean(max(sum(square(a - p), -1) - sum(square(a - n), -1) + 0.4, 0))";
    const std::vector<Case> cases{
        {"exp(-(1 - cosine(a, b)))", ab, {Shape{4, 5}, Shape{4, 5}}},
        {"exp(-(1 - cosine(a, b)))", ab, {Shape{1, 3}, Shape{1, 3}}},
        {triplet, apn, {Shape{5, 3}, Shape{5, 3}, Shape{5, 3}}},
        {triplet, apn, {Shape{1, 4}, Shape{1, 4}, Shape{1, 4}}},
        {"exponent_neg_cosine_distance", ab, {Shape{3, 4}, Shape{3, 4}}},
        {"exponent_neg_manhattan_distance", ab, {Shape{3, 4}, Shape{3, 4}}},
        {"exponent_neg_manhattan_distance", ab, {Shape{1, 2}, Shape{1, 2}}},
        {"euclidean_distance", ab, {Shape{3, 4}, Shape{3, 4}}},
        {"euclidean_distance", ab, {Shape{1, 6}, Shape{1, 6}}},
        {"squared_distance", ab, {Shape{3, 4}, Shape{3, 4}}},
        {"squared_distance", ab, {Shape{1, 1}, Shape{1, 1}}},
        {"min(a, axis=-1, keepdims=true) * max(b, axis=0, keepdims=true) / (2 + square(a))",
         ab,
         {Shape{3, 4}, Shape{3, 4}}},
        {"part(a, 1, 2) * dot(a, b) + norm(b) - slice(b, 0, 2) * mean(part(a, 0, 2), 0)",
         ab,
         {Shape{3, 4}, Shape{3, 4}}},
        {"log(1 + square(a)) + sqrt(2 + tanh(b)) - sigmoid(a * b) + relu(a - 0.05)",
         ab,
         {Shape{2, 3}, Shape{2, 3}}},
    };
    uint64_t seed = 11;
    for (const Case& c : cases) {
      CAPTURE(c.text);
      CAPTURE(c.shapes[0].to_string());
      const autograd::GradCheckReport report = gradcheck(c.text, c.names, c.shapes, seed++);
      INFO(report.to_string());
      CHECK(report.passed());
    }
  }

  TEST_CASE("Lambda: unknown names, arity, keywords and literals are reported with columns") {
    check_error("exp(d)", 5, {"unknown argument 'd'", "the arguments are a, b, c"});
    check_error("anchr - positive", 1, {"unknown argument 'anchr' (did you mean 'anchor'?)"},
                {"anchor", "positive"});
    check_error("1 - cosin(a, b)", 5, {"unknown function 'cosin' (did you mean 'cosine'?)"});
    check_error("frobnicate(a)", 1, {"unknown function 'frobnicate'"});
    check_error("a(b)", 1, {"'a' is an argument, not a function"});
    check_error("1 - exp", 5, {"'exp' is a function: call it as exp(...)"});
    check_error("exp(a, b)", 8, {"'exp' takes at most 1 argument(s), got 2", "usage: exp(x)"});
    check_error("cosine(a)", 1, {"'cosine' is missing argument 'b'", "cosine(a, b, axis=-1"});
    check_error("sum(a, axes=0)", 8, {"'sum' has no argument 'axes' (did you mean 'axis'?)"});
    check_error("sum(a, 0, axis=1)", 11, {"argument 'axis' of 'sum' is given twice"});
    check_error("sum(a, axis=b)", 13, {"axis of 'sum' must be an integer literal, found 'b'"});
    check_error("sum(a, 1.0)", 8, {"axis of 'sum' must be an integer literal, found '1.0'"});
    check_error("sum(a, axis=1 + 1)", 13, {"must be an integer literal, found '1 + 1'"});
    check_error("sum(a, keepdims=1)", 17, {"keepdims of 'sum' must be true or false, found '1'"});
    check_error("sum(a, axis=100)", 13, {"axis 100 of 'sum' is out of range"});
    check_error("slice(a, 0, c)", 13, {"end of 'slice' must be an integer literal"});
    check_error("max(a, -1, keepdims=true)", 8, {"'max' reduces only with keywords"});
    check_error("a + true", 5, {"expected a value, found 'true'"});
    check_error("exp(a", 4, {"unbalanced parenthesis"});  // syntax errors come through too
    check_error("euclidean_distance", 1, {"built-in 'euclidean_distance' takes 2 arguments"});
  }

  TEST_CASE("Lambda: shape errors from the ops quote the sub-expression at fault") {
    check_error("exp(a - c)", 5, {"in 'a - c': ", "Sub", "input 1: c [B, 4]"});
    check_error("1 + sum(a, axis=2)", 5, {"in 'sum(a, axis=2)': ", "ReduceSum"});
    check_error("euclidean_distance(a, c)", 1,
                {"in 'euclidean_distance(a, c)' = sqrt(", "in 'a - b': "});
    check_error("exponent_neg_cosine_distance", 1,
                {"in built-in 'exponent_neg_cosine_distance'", "Cosine"}, {"a", "c"});
    // Callers that handle any malformed graph catch ExprError as a GraphError.
    Graph g;
    const ValueId a = g.add_input("a", Shape{kBatch, 3});
    const ValueId c = g.add_input("c", Shape{kBatch, 4});
    CHECK_THROWS_AS(compile_lambda(g, "d", "cosine(a, c)", {"a", "c"}, {a, c}), GraphError);
  }

  TEST_CASE("Lambda: part() checks divisibility, range and a known axis size") {
    check_error("part(a, 0, 2)", 1, {"axis -1 of 'a' [B, 3] does not split into 2 equal parts"});
    check_error("part(a, 3, 3)", 9, {"part 3 is out of range: k must be in [0, 2]"});
    check_error("part(a, -1, 3)", 9, {"part -1 is out of range"});
    check_error("part(a, 0, 0)", 12, {"n must be at least 1"});
    check_error("part(a, 0, 3, axis=0)", 1, {"needs the size of axis 0", "only known at run time"});
    check_error("part(a, 0, 3, axis=2)", 1, {"in 'part(a, 0, 3, axis=2)'", "out of range"});
  }

  TEST_CASE("Lambda: argument lists are checked, names stay unique and errors close the scope") {
    Graph g;
    const ValueId a = g.add_input("a", Shape{kBatch, 3});
    CHECK_THROWS_WITH_AS(compile_lambda(g, "f", "a", {"a", "a"}, {a, a}),
                         doctest::Contains("listed twice"), GraphError);
    CHECK_THROWS_WITH_AS(compile_lambda(g, "f", "a", {"1x"}, {a}), doctest::Contains("not usable"),
                         GraphError);
    CHECK_THROWS_WITH_AS(compile_lambda(g, "f", "a", {"true"}, {a}),
                         doctest::Contains("not usable"), GraphError);
    CHECK_THROWS_WITH_AS(compile_lambda(g, "f", "a", {"a", "b"}, {a}),
                         doctest::Contains("2 argument name(s) is given 1 value(s)"), GraphError);
    CHECK_THROWS_AS(compile_lambda(g, "f", "exp(a - q)", {"a"}, {a}), ExprError);
    // Applying one Lambda name twice: the second application gets fresh node names.
    const ValueId first = compile_lambda(g, "f", "exp(a)", {"a"}, {a});
    const ValueId second = compile_lambda(g, "f", "exp(a)", {"a"}, {a});
    CHECK(g.value(first).name == "f/Exp0");
    CHECK(g.value(second).name == "f/Exp1");
    // The failed compile above left no scope open.
    CHECK(g.node(g.value(second).producer).scope == "f");
    const ValueId z = g.add_node(*op_registry().find("Neg"), NoAttrs{}, {a}, "z");
    CHECK(g.node(g.value(z).producer).scope.empty());
  }

  TEST_CASE("Lambda: the built-in table") {
    CHECK(builtin_lambda("exponent_neg_cosine_distance") == "exp(-(1 - cosine(a, b)))");
    CHECK(builtin_lambda("euclidean_distance") ==
          "sqrt(maximum(sum(square(a - b), -1, keepdims=true), 1e-7))");
    CHECK_FALSE(builtin_lambda("cosine"));
    CHECK_FALSE(builtin_lambda("nope"));
    CHECK(builtin_lambda_names().size() == 4);
    // Each source parses and calls only primitives, so inlining cannot recurse.
    for (const std::string& name : builtin_lambda_names()) {
      const Expr e = parse_expression(*builtin_lambda(name));
      std::vector<const Expr*> todo{&e};
      while (!todo.empty()) {
        const Expr* x = todo.back();
        todo.pop_back();
        if (x->kind == ExprKind::kCall) CHECK_FALSE(builtin_lambda(x->name));
        for (const Expr& arg : x->args) todo.push_back(&arg);
      }
    }
    const std::vector<std::string> all = lambda_function_names();
    CHECK(std::find(all.begin(), all.end(), "part") != all.end());
  }
}

}  // namespace
}  // namespace twinflow::graph
