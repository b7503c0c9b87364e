#include "graph/lambda/functions.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "graph/ir/suggest.h"

namespace twinflow::graph {

namespace {

using enum LambdaFn;

constexpr LambdaFunction kFunctions[] = {
    {"exp", kUnary, "Exp", "exp(x)"},
    {"log", kUnary, "Log", "log(x)"},
    {"sqrt", kUnary, "Sqrt", "sqrt(x)"},
    {"square", kUnary, "Square", "square(x)"},
    {"abs", kUnary, "Abs", "abs(x)"},
    {"tanh", kUnary, "Tanh", "tanh(x)"},
    {"sigmoid", kUnary, "Sigmoid", "sigmoid(x)"},
    {"relu", kUnary, "Relu", "relu(x)"},
    {"neg", kUnary, "Neg", "neg(x)"},
    {"maximum", kBinary, "Maximum", "maximum(a, b)"},
    {"minimum", kBinary, "Minimum", "minimum(a, b)"},
    {"max", kExtremum, "Maximum", "max(x, axis=-1, keepdims=false)"},
    {"min", kExtremum, "Minimum", "min(x, axis=-1, keepdims=false)"},
    {"sum", kReduce, "ReduceSum", "sum(x, axis=-1, keepdims=false)"},
    {"mean", kReduce, "ReduceMean", "mean(x, axis=-1, keepdims=false)"},
    {"dot", kDot, "Dot", "dot(a, b, axis=-1, keepdims=true)"},
    {"norm", kNorm, "L2Norm", "norm(x, axis=-1, keepdims=true)"},
    {"cosine", kCosine, "Cosine", "cosine(a, b, axis=-1, keepdims=true)"},
    {"slice", kSlice, "Slice", "slice(x, begin, end, axis=-1)"},
    {"part", kPart, "Slice", "part(x, k, n, axis=-1)"},
    // Built-in sources call only the primitives above, never a built-in, so inlining ends.
    {"exponent_neg_cosine_distance", kBuiltin, "", "exponent_neg_cosine_distance(a, b)",
     "exp(-(1 - cosine(a, b)))"},
    {"exponent_neg_manhattan_distance", kBuiltin, "", "exponent_neg_manhattan_distance(a, b)",
     "exp(-sum(abs(a - b), -1, keepdims=true))"},
    {"euclidean_distance", kBuiltin, "", "euclidean_distance(a, b)",
     "sqrt(maximum(sum(square(a - b), -1, keepdims=true), 1e-7))"},
    {"squared_distance", kBuiltin, "", "squared_distance(a, b)",
     "sum(square(a - b), -1, keepdims=true)"},
};

// "sum(x, axis=-1, keepdims=false)" -> x (required), axis (int, -1), keepdims (bool, false).
std::vector<LambdaParam> params_of(std::string_view usage) {
  std::vector<LambdaParam> params;
  std::string_view rest = usage.substr(usage.find('(') + 1);
  rest.remove_suffix(1);
  while (!rest.empty()) {
    const size_t comma = rest.find(", ");
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    LambdaParam p;
    const size_t eq = item.find('=');
    p.name = item.substr(0, eq);
    if (eq != std::string_view::npos) p.fallback = item.substr(eq + 1);
    if (p.name == "axis" || p.name == "begin" || p.name == "end" || p.name == "k" || p.name == "n")
      p.kind = ParamKind::kInt;
    else if (p.name == "keepdims")
      p.kind = ParamKind::kBool;
    params.push_back(p);
  }
  return params;
}

// No tensor here has more than a handful of axes; a huge axis is a typo.
constexpr int64_t kMaxAxis = 64;

void check_literal(const Expr& arg, const LambdaParam& p, std::string_view fn,
                   std::string_view text) {
  auto fail = [&](const std::string& message) { throw ExprError(text, arg.column(), message); };
  const std::optional<int64_t> literal = integer_literal(arg);
  if (p.kind == ParamKind::kInt && !literal)
    fail(fmt::format("{} of '{}' must be an integer literal, found '{}'", p.name, fn,
                     arg.source(text)));
  if (p.kind == ParamKind::kInt && p.name == "axis" && std::abs(*literal) > kMaxAxis)
    fail(fmt::format("axis {} of '{}' is out of range", *literal, fn));
  if (p.kind == ParamKind::kBool && arg.kind != ExprKind::kBool)
    fail(fmt::format("{} of '{}' must be true or false, found '{}'", p.name, fn, arg.source(text)));
}

}  // namespace

std::span<const LambdaFunction> lambda_functions() { return kFunctions; }

const LambdaFunction* find_lambda_function(std::string_view name) {
  for (const LambdaFunction& f : kFunctions)
    if (f.name == name) return &f;
  return nullptr;
}

std::optional<std::string> builtin_lambda(std::string_view name) {
  const LambdaFunction* f = find_lambda_function(name);
  if (!f || f->fn != kBuiltin) return std::nullopt;
  return std::string(f->source);
}

std::vector<std::string> builtin_lambda_names() {
  std::vector<std::string> names;
  for (const LambdaFunction& f : kFunctions)
    if (f.fn == kBuiltin) names.emplace_back(f.name);
  return names;
}

std::vector<std::string> lambda_function_names() {
  std::vector<std::string> names;
  for (const LambdaFunction& f : kFunctions) names.emplace_back(f.name);
  return names;
}

std::optional<int64_t> integer_literal(const Expr& e) {
  const bool negative = e.kind == ExprKind::kUnary && e.op == '-';
  const Expr& n = e.kind == ExprKind::kUnary ? e.args[0] : e;
  // Beyond 2^53 a double no longer holds every integer, and no tensor is that large.
  if (n.kind != ExprKind::kNumber || !n.is_integer || n.number > 9007199254740992.0)
    return std::nullopt;
  const auto v = static_cast<int64_t>(n.number);
  return negative ? -v : v;
}

int64_t BoundCall::integer(size_t i) const {
  if (args[i]) return *integer_literal(*args[i]);
  int64_t v = 0;
  const std::string_view s = params[i].fallback;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool BoundCall::flag(size_t i) const {
  return args[i] ? args[i]->boolean : params[i].fallback == "true";
}

BoundCall bind_call(const Expr& call, std::string_view usage, std::string_view text) {
  BoundCall b{params_of(usage), {}};
  b.args.assign(b.params.size(), nullptr);
  std::vector<std::string> names;
  for (const LambdaParam& p : b.params) names.emplace_back(p.name);
  const std::string_view fn = call.name;
  size_t positional = 0;
  for (const Expr& arg : call.args) {
    if (arg.keyword.empty()) {
      if (positional == b.params.size())
        throw ExprError(text, arg.column(),
                        fmt::format("'{}' takes at most {} argument(s), got {}; usage: {}", fn,
                                    b.params.size(), call.args.size(), usage));
      b.args[positional++] = &arg;
      continue;
    }
    const int at = static_cast<int>(arg.keyword_begin) + 1;
    const auto it = std::find(names.begin(), names.end(), arg.keyword);
    if (it == names.end())
      throw ExprError(text, at,
                      fmt::format("'{}' has no argument '{}'{}; usage: {}", fn, arg.keyword,
                                  did_you_mean(arg.keyword, names), usage));
    const auto i = static_cast<size_t>(it - names.begin());
    if (b.args[i])
      throw ExprError(
          text, at,
          fmt::format("argument '{}' of '{}' is given twice; usage: {}", arg.keyword, fn, usage));
    b.args[i] = &arg;
  }
  for (size_t i = 0; i < b.params.size(); ++i) {
    if (!b.args[i] && b.params[i].fallback.empty())
      throw ExprError(text, call.column(),
                      fmt::format("'{}' is missing argument '{}': got {} argument(s); usage: {}",
                                  fn, b.params[i].name, call.args.size(), usage));
    if (b.args[i]) check_literal(*b.args[i], b.params[i], fn, text);
  }
  return b;
}

}  // namespace twinflow::graph
