// The Lambda expression parser: precedence, literals, spans, every syntax error with its
// column, the nesting bound, and the "did you mean" helper it shares with the spec loader.
#include "graph/lambda/expr.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "graph/ir/suggest.h"

namespace twinflow::graph {
namespace {

std::string parsed(std::string_view text) { return to_string(parse_expression(text)); }

// Parses text, which must fail; returns the error for inspection.
ExprError parse_error(std::string_view text) {
  try {
    parse_expression(text);
  } catch (const ExprError& e) {
    return e;
  }
  FAIL("no error for: ", std::string(text));
  return ExprError(text, 0, "");
}

struct Malformed {
  std::string text;
  int column;
  std::vector<std::string> words;  // each must appear in the message
};

TEST_SUITE("graph") {
  TEST_CASE("Expr parser: precedence and left associativity") {
    CHECK(parsed("1 - 2 - 3") == "((1 - 2) - 3)");
    CHECK(parsed("8 / 4 / 2") == "((8 / 4) / 2)");
    CHECK(parsed("2 * 3 + 4") == "((2 * 3) + 4)");
    CHECK(parsed("2 + 3 * 4") == "(2 + (3 * 4))");
    CHECK(parsed("a - b * c / d + e") == "((a - ((b * c) / d)) + e)");
    CHECK(parsed("(1 - 2) * 3") == "((1 - 2) * 3)");
    CHECK(parsed("a - (b - c)") == "(a - (b - c))");
    CHECK(parsed("  a\t+\nb ") == "(a + b)");
  }

  TEST_CASE("Expr parser: unary minus and plus bind tighter than * and /") {
    CHECK(parsed("-a") == "(-a)");
    CHECK(parsed("-a * b") == "((-a) * b)");
    CHECK(parsed("a * -b") == "(a * (-b))");
    CHECK(parsed("a - -1") == "(a - (-1))");
    CHECK(parsed("- - a") == "(-(-a))");
    CHECK(parsed("+a - b") == "((+a) - b)");
    CHECK(parsed("-(1 - x)") == "(-(1 - x))");
  }

  TEST_CASE("Expr parser: calls, keyword arguments and booleans") {
    CHECK(parsed("exp(-(1 - cosine(a, b)))") == "exp((-(1 - cosine(a, b))))");
    CHECK(parsed("f()") == "f()");
    const Expr e = parse_expression("sum(square(a - p), -1, keepdims=true)");
    REQUIRE(e.kind == ExprKind::kCall);
    CHECK(e.name == "sum");
    REQUIRE(e.args.size() == 3);
    CHECK(e.args[0].keyword.empty());
    CHECK(e.args[1].kind == ExprKind::kUnary);
    CHECK(e.args[2].keyword == "keepdims");
    CHECK(e.args[2].keyword_begin == 23);
    CHECK(e.args[2].kind == ExprKind::kBool);
    CHECK(e.args[2].boolean);
    CHECK(parsed("max(x, axis=0, keepdims=false)") == "max(x, axis=0, keepdims=false)");
    CHECK(parsed("mean(max(sum(square(a - p), -1) - sum(square(a - n), -1) + 0.4, 0))") ==
          "mean(max(((sum(square((a - p)), (-1)) - sum(square((a - n)), (-1))) + 0.4), 0))");
  }

  TEST_CASE("Expr parser: numbers") {
    struct Number {
      std::string text;
      double value;
      bool is_integer;
    };
    for (const Number& n : std::vector<Number>{{"1", 1.0, true},
                                               {"0.4", 0.4, false},
                                               {"1e-7", 1e-7, false},
                                               {"1E+3", 1000.0, false},
                                               {".5", 0.5, false},
                                               {"2.", 2.0, false},
                                               {"12345678", 12345678.0, true},
                                               {"007", 7.0, true}}) {
      CAPTURE(n.text);
      const Expr e = parse_expression(n.text);
      REQUIRE(e.kind == ExprKind::kNumber);
      CHECK(e.number == n.value);
      CHECK(e.is_integer == n.is_integer);
    }
  }

  TEST_CASE("Expr parser: spans cover each sub-expression, parentheses included") {
    const std::string text = "exp(a - p) * (b + c)";
    const Expr e = parse_expression(text);
    CHECK(e.source(text) == text);
    CHECK(e.args[0].source(text) == "exp(a - p)");
    CHECK(e.args[0].args[0].source(text) == "a - p");
    CHECK(e.args[0].args[0].column() == 5);
    CHECK(e.args[1].source(text) == "(b + c)");
    CHECK(e.args[1].column() == 14);
    CHECK(e.depth == 4);  // leaf, a - p, exp(..), the product
  }

  TEST_CASE("Expr parser: malformed expressions name the column, the expected and the found") {
    const std::vector<Malformed> cases = {
        {"a $ b", 3, {"unexpected character '$'", "expected"}},
        {"a ^ 2", 3, {"'^'", "no power operator", "square(x)"}},
        {"a ** 2", 3, {"'**'", "no power operator"}},
        {"exp(a)\xc3\xa9", 7, {"unexpected byte 0xc3"}},
        {"(a + b", 1, {"unbalanced parenthesis", "never closed"}},
        {"a + b)", 6, {"unbalanced parenthesis", "no matching '('"}},
        {"exp(a", 4, {"unbalanced parenthesis", "call to 'exp'", "never closed"}},
        {"(a b)", 4, {"expected ')' or an operator", "found name 'b'"}},
        {"f(a b)", 5, {"expected ',', ')' or an operator", "found name 'b'"}},
        {"a +", 4, {"expected an operand", "found the end of the expression"}},
        {"", 1, {"expected an operand", "the end of the expression"}},
        {"   ", 4, {"expected an operand"}},
        {"a + * b", 5, {"expected an operand", "found '*'"}},
        {"a b", 3, {"expected an operator or the end of the expression", "found name 'b'"}},
        {"a = b", 3, {"expected an operator", "found '='"}},
        {"2x", 2, {"expected an operator", "found name 'x'"}},
        {"()", 2, {"empty parentheses"}},
        {"f(a,)", 5, {"expected an argument", "found ')'"}},
        {"f(, a)", 3, {"expected an argument", "found ','"}},
        {"sum(axis=1, x)", 13, {"positional argument after keyword argument 'axis'"}},
        {"sum(x, axis=1, axis=2)", 16, {"keyword 'axis' is given twice"}},
        {"1e", 1, {"malformed number '1e'", "digits after the exponent"}},
        {"x * 1e+", 5, {"malformed number '1e+'"}},
        {"1e999", 1, {"number '1e999' is out of range"}},
        {"1.2.3", 4, {"expected an operator", "found number '.3'"}},
    };
    for (const Malformed& m : cases) {
      CAPTURE(m.text);
      const ExprError e = parse_error(m.text);
      INFO(e.what());
      CHECK(e.column() == m.column);
      for (const std::string& word : m.words) CHECK(e.message().find(word) != std::string::npos);
    }
  }

  TEST_CASE("Expr errors show the expression with a caret under the column") {
    const ExprError e = parse_error("exp(a $ b)");
    CHECK(std::string(e.what()) == "column 7: " + e.message() + "\n  exp(a $ b)\n        ^");
    const ExprError tabbed = parse_error("a\t$");
    CHECK(std::string(tabbed.what()).ends_with("\n  a $\n    ^"));
  }

  TEST_CASE("Expr parser: nesting is bounded instead of overflowing the stack") {
    auto nested = [](const std::string& open, const std::string& close, int n) {
      std::string s;
      for (int i = 0; i < n; ++i) s += open;
      s += "a";
      for (int i = 0; i < n; ++i) s += close;
      return s;
    };
    CHECK_NOTHROW(parse_expression(nested("(", ")", 150)));
    CHECK_NOTHROW(parse_expression(nested("exp(", ")", 150)));
    CHECK_NOTHROW(parse_expression(nested("-", "", 150)));
    for (const std::string& deep :
         {nested("(", ")", 250), nested("exp(", ")", 250), nested("-", "", 250),
          nested("(", "", 100000), nested("sum(x, ", ")", 300)}) {
      const ExprError e = parse_error(deep);
      CHECK(e.message().find("nests too deeply (more than 200 levels)") != std::string::npos);
    }
    // A long operator chain is as deep as its tree, though the parser loops over it.
    std::string chain = "a";
    for (int i = 0; i < 150; ++i) chain += " + a";
    CHECK(parse_expression(chain).depth == 151);
    for (int i = 0; i < 100; ++i) chain += " - a";
    const ExprError e = parse_error(chain);
    CHECK(e.message().find("nests too deeply") != std::string::npos);
  }

  TEST_CASE("edit distance and did-you-mean hints") {
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("cosine", "cosine") == 0);
    CHECK(edit_distance("axis", "axes") == 1);
    const std::vector<std::string> names = {"exp", "cosine", "sum", "square", "sqrt", "max"};
    CHECK(nearest_name("cosin", names) == "cosine");
    CHECK(nearest_name("sqare", names) == "square");
    CHECK(nearest_name("Exp", names) == "exp");  // case is compared loosely
    CHECK(nearest_name("sqr", names) == "sqrt");
    CHECK_FALSE(nearest_name("dropout", names));
    CHECK_FALSE(nearest_name("x", std::vector<std::string>{"a", "b"}));
    // Ties go to the earlier candidate.
    CHECK(nearest_name("sun", std::vector<std::string>{"sum", "sub"}) == "sum");
    CHECK(did_you_mean("axes", std::vector<std::string>{"x", "axis", "keepdims"}) ==
          " (did you mean 'axis'?)");
    CHECK(did_you_mean("zzz", names).empty());
  }
}

}  // namespace
}  // namespace twinflow::graph
