// graph/lambda/functions.h — the functions a Lambda expression may call (graph/lambda/lambda.h
// lists what each compiles to) and the binding of a call's arguments to their parameters.
//
// Each function's usage line declares its parameters: "sum(x, axis=-1, keepdims=false)" has a
// required value x and optional axis and keepdims with those defaults. axis, begin, end, k and
// n take integer literals and keepdims takes true or false, because they fix the graph's
// shapes while it is built.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/lambda/expr.h"

namespace twinflow::graph {

// How a call becomes nodes.
enum class LambdaFn {
  kUnary,     // op(x)
  kBinary,    // op(a, b)
  kExtremum,  // max/min: elementwise with two positional values, else a reduction
  kReduce,    // op(x) with ReduceAttrs
  kDot,
  kNorm,
  kCosine,
  kSlice,
  kPart,
  kBuiltin,  // a registered expression over (a, b), inlined
};

struct LambdaFunction {
  std::string_view name;
  LambdaFn fn;
  std::string_view op;  // the primitive (for max and min: the elementwise one)
  std::string_view usage;
  std::string_view source = {};  // kBuiltin: the expression
};

std::span<const LambdaFunction> lambda_functions();
const LambdaFunction* find_lambda_function(std::string_view name);

// The source of a named built-in expression, if there is one by that name.
std::optional<std::string> builtin_lambda(std::string_view name);
std::vector<std::string> builtin_lambda_names();
// Every name callable in an expression (functions and built-ins), for hints and docs.
std::vector<std::string> lambda_function_names();

enum class ParamKind { kValue, kInt, kBool };

struct LambdaParam {
  std::string_view name;
  ParamKind kind = ParamKind::kValue;
  std::string_view fallback;  // the default as written; empty when required
};

// A call's argument expressions, one per parameter (null where left out).
struct BoundCall {
  std::vector<LambdaParam> params;
  std::vector<const Expr*> args;
  // The literal given for parameter i, or its default.
  int64_t integer(size_t i) const;
  bool flag(size_t i) const;
};

// Binds call's arguments to the parameters of `usage` (positional first, then keywords) and
// checks the literal ones; throws ExprError with columns into text.
BoundCall bind_call(const Expr& call, std::string_view usage, std::string_view text);

// An integer literal, possibly negated ("-1"); nullopt for anything else.
std::optional<int64_t> integer_literal(const Expr& e);

}  // namespace twinflow::graph
