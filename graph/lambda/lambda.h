// graph/lambda/ (twinflow_graph_lambda): the Lambda expression language.
// Owns its parser, its table of functions and the compiler to primitive graph nodes.
// May include: graph/ir.
//
// graph/lambda/lambda.h — compiles a Lambda expression (graph/lambda/expr.h) into primitive graph
// nodes.
//
// Autodiff never sees a Lambda: it sees the primitives the expression lowers to, whose VJPs
// are checked one by one in ops/. The functions, and the op each becomes:
//
//   a + b, a - b, a * b, a / b        Add Sub Mul Div (numpy broadcasting; a number becomes a
//                                     rank-0 graph constant; arithmetic on numbers is folded)
//   -a                                Neg
//   exp log sqrt square abs tanh sigmoid relu neg (x)
//                                     Exp Log Sqrt Square Abs Tanh Sigmoid Relu Neg
//   maximum(a, b)  minimum(a, b)      Maximum Minimum
//   max(a, b)  min(a, b)              the same: two positional values are elementwise
//   max(x, axis=-1, keepdims=false)   ReduceMax; a keyword (or a single argument) means a
//                                     reduction, so max(x) reduces the last axis
//   min(x, axis=-1, keepdims=false)   Neg(ReduceMax(Neg(x)))
//   sum  mean (x, axis=-1, keepdims=false)      ReduceSum ReduceMean
//   dot(a, b, axis=-1, keepdims=true)           Dot
//   norm(x, axis=-1, keepdims=true)             L2Norm
//   cosine(a, b, axis=-1, keepdims=true)        Cosine
//   slice(x, begin, end, axis=-1)               Slice [begin, end) of the axis
//   part(x, k, n, axis=-1)                      Slice: the k-th (from 0) of n equal parts
//   <built-in>(a, b)                            the built-in's expression, inlined
//
// Arguments may be positional or keyword (`sum(d, axis=1)`). axis, begin, end, k and n must
// be integer literals and keepdims true or false: they fix the graph's shapes, so they cannot
// depend on data. part() needs the size of its axis when the graph is built.
//
// Named built-ins are registered expressions over (a, b), usable as functions inside an
// expression or as the whole expression (`expr: euclidean_distance`, the Lambda's arguments
// bound in order):
//   exponent_neg_cosine_distance     exp(-(1 - cosine(a, b)))
//   exponent_neg_manhattan_distance  exp(-sum(abs(a - b), -1, keepdims=true))
//   euclidean_distance               sqrt(maximum(sum(square(a - b), -1, keepdims=true), 1e-7))
//   squared_distance                 sum(square(a - b), -1, keepdims=true)
//
// Errors are ExprError, with the column in the expression: unknown functions and arguments
// (with "did you mean"), wrong arity, unknown or repeated keywords, non-literal axes, and the
// ops' shape errors, prefixed with the sub-expression at fault ("in 'a - p': ...").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/graph.h"
#include "graph/lambda/expr.h"
#include "graph/lambda/functions.h"  // builtin_lambda(), the table of functions

namespace twinflow::graph {

// What a Lambda layer of the graph may not do that a loss expression may. A loss reduces
// over the batch (`mean(...)`); a layer's values keep one row per example, and see padding.
struct LambdaRules {
  // Refuse a function whose axis is the batch axis (axis 0 of a value whose first dimension
  // is the batch, also when written as the negative axis that resolves to 0).
  bool keep_batch = false;
  // Per argument (empty: none): the token ids [B, T] marking its padding, or -1. A value that
  // still has those T steps on axis 1 (the argument, and what elementwise math or a reduction
  // over a later axis makes of it) may not be averaged or maxed (mean, max, min) over axis 1:
  // the padding steps would count. sum is allowed: padded steps are 0 (a mask_zero
  // Embedding's and an LSTM's).
  std::vector<ValueId> masks;
};

// Adds the nodes of `text` to g with arg_names[i] bound to args[i] and returns the result.
// Nodes are named "<name>/<Op><k>" (constants "<name>/Const<k>", k counting per op and
// skipping names already taken, so the same Lambda can be applied twice under one name) and
// belong to scope `name`. Ops are looked up in op_registry(), so the ops must be registered.
// An expression without an op returns what it names: the argument itself for "a", a constant
// for "1 + 2". `rules` restrict what a Lambda layer may do. Throws ExprError (a GraphError); the
// graph may then hold part of the expression's nodes, as after any failed build.
ValueId compile_lambda(Graph& g, const std::string& name, std::string_view text,
                       const std::vector<std::string>& arg_names, const std::vector<ValueId>& args,
                       const LambdaRules& rules = {});

}  // namespace twinflow::graph
