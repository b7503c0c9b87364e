#include "graph/lambda/lambda.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "graph/ir/attrs.h"
#include "graph/ir/suggest.h"
#include "graph/lambda/functions.h"

namespace twinflow::graph {

namespace {

// A compiled sub-expression: a graph value, or a number not yet turned into a constant (so
// that arithmetic on numbers folds and `-1` needs no Neg node).
struct Operand {
  bool is_constant = false;
  double constant = 0.0;
  ValueId value = -1;
};

Operand constant(double c) { return Operand{true, c, -1}; }
Operand value(ValueId v) { return Operand{false, 0.0, v}; }

double fold(char op, double a, double b) {
  if (op == '+') return a + b;
  if (op == '-') return a - b;
  return op == '*' ? a * b : a / b;
}

std::string_view binary_op(char op) {
  if (op == '+') return "Add";
  if (op == '-') return "Sub";
  return op == '*' ? "Mul" : "Div";
}

// The axis an op's attributes name, if they name one.
std::optional<int> axis_of(const std::any& attrs) {
  if (const auto* r = std::any_cast<ReduceAttrs>(&attrs)) return r->axis;  // Dot too
  if (const auto* s = std::any_cast<SliceAttrs>(&attrs)) return s->axis;
  if (const auto* n = std::any_cast<NormAttrs>(&attrs)) return n->axis;
  if (const auto* c = std::any_cast<CosineAttrs>(&attrs)) return c->axis;
  return std::nullopt;
}

// axis normalised against x; nullopt when out of range (the op's shape rule says so).
std::optional<int> resolved_axis(const std::any& attrs, const Shape& x) {
  const std::optional<int> axis = axis_of(attrs);
  if (!axis || *axis >= x.rank() || *axis < -x.rank()) return std::nullopt;
  return *axis < 0 ? *axis + x.rank() : *axis;
}

struct ScopeGuard {
  Graph& g;
  ~ScopeGuard() { g.pop_scope(); }
};

class Compiler {
 public:
  using Env = std::vector<std::pair<std::string, ValueId>>;

  Compiler(Graph& g, const std::string& name, std::string_view text, Env env,
           std::map<std::string, int>& counters, const LambdaRules& rules,
           std::map<ValueId, int64_t>& padded)
      : g_(g),
        name_(name),
        text_(text),
        env_(std::move(env)),
        counters_(counters),
        rules_(rules),
        padded_(padded) {}

  ValueId compile(const Expr& root) { return materialize(eval(root)); }

 private:
  [[noreturn]] void fail(size_t begin, const std::string& message) const {
    throw ExprError(text_, static_cast<int>(begin) + 1, message);
  }

  std::string fresh_name(std::string_view op) {
    int& k = counters_[std::string(op)];
    std::string candidate;
    do {
      candidate = fmt::format("{}/{}{}", name_, op, k++);
    } while (g_.find_value(candidate));
    return candidate;
  }

  ValueId materialize(const Operand& x) {
    return x.is_constant ? g_.add_constant(x.constant, fresh_name("Const")) : x.value;
  }

  // Adds one primitive; its shape error comes back quoting the sub-expression `at`.
  Operand add(std::string_view op, std::any attrs, std::vector<ValueId> inputs, const Expr& at) {
    check_rules(op, attrs, inputs, at);
    ValueId y = -1;
    try {
      const OpSchema* schema = op_registry().find(op);
      if (!schema) throw GraphError(fmt::format("op '{}' is not registered", op));
      y = g_.add_node(*schema, attrs, inputs, fresh_name(op));
    } catch (const GraphError& e) {
      fail(at.begin, fmt::format("in '{}': {}", at.source(text_), e.what()));
    }
    carry_padding(attrs, inputs, y);
    return value(y);
  }

  // The time steps of x when axis 1 of x still holds padded steps, else 0.
  int64_t padded_steps(ValueId x) const {
    const auto it = padded_.find(x);
    return it == padded_.end() ? 0 : it->second;
  }

  // y keeps the padded steps of an input when it still has them on axis 1, unless the op
  // took that axis (a reduction or slice over time).
  void carry_padding(const std::any& attrs, const std::vector<ValueId>& inputs, ValueId y) {
    const Shape& shape = g_.value(y).shape;
    for (ValueId x : inputs) {
      const int64_t steps = padded_steps(x);
      if (steps == 0 || shape.rank() < 2 || shape[1] != steps) continue;
      if (resolved_axis(attrs, g_.value(x).shape) == 1) continue;
      padded_[y] = steps;
      return;
    }
  }

  void check_rules(std::string_view op, const std::any& attrs, const std::vector<ValueId>& inputs,
                   const Expr& at) const {
    if (inputs.empty()) return;
    const Shape& x = g_.value(inputs[0]).shape;
    const std::optional<int> axis = resolved_axis(attrs, x);
    if (!axis) return;
    const std::string where = fmt::format("in '{}'", at.source(text_));
    if (rules_.keep_batch && *axis == 0 && x[0] == kBatch)
      fail(at.begin, fmt::format("{}: axis {} of {} is the batch axis; a Lambda layer keeps one "
                                 "row per example, so that the loss can pair predictions with "
                                 "targets: use axis 1 or -1 (a loss expression may reduce over "
                                 "the batch)",
                                 where, axis_of(attrs).value_or(0), x.to_string()));
    if (*axis == 1 && (op == "ReduceMean" || op == "ReduceMax") && padded_steps(inputs[0]) > 0)
      fail(at.begin,
           fmt::format("{}: axis 1 of {} is time steps with padding (token ids with 0 from a "
                       "mask_zero Embedding); {} over it would count the padding: use a {} "
                       "layer, which skips it (sum over time is allowed: padded steps are 0)",
                       where, x.to_string(), at.name,
                       op == "ReduceMean" ? "GlobalAveragePooling1D" : "GlobalMaxPooling1D"));
  }

  Operand eval(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kNumber:
        return constant(e.number);
      case ExprKind::kBool:
        fail(e.begin, fmt::format("expected a value, found '{}' (true and false are only for "
                                  "keepdims)",
                                  e.name));
      case ExprKind::kName:
        return value(lookup(e));
      case ExprKind::kUnary: {
        const Operand x = eval(e.args[0]);
        if (e.op == '+') return x;
        if (x.is_constant) return constant(-x.constant);
        return add("Neg", NoAttrs{}, {x.value}, e);
      }
      case ExprKind::kBinary: {
        const Operand a = eval(e.args[0]);
        const Operand b = eval(e.args[1]);
        if (a.is_constant && b.is_constant) return constant(fold(e.op, a.constant, b.constant));
        return add(binary_op(e.op), NoAttrs{}, {materialize(a), materialize(b)}, e);
      }
      case ExprKind::kCall:
        return call(e);
    }
    fail(e.begin, "unknown expression");
  }

  ValueId lookup(const Expr& e) const {
    for (const auto& [name, v] : env_)
      if (name == e.name) return v;
    if (find_lambda_function(e.name))
      fail(e.begin, fmt::format("'{0}' is a function: call it as {0}(...)", e.name));
    std::vector<std::string> names;
    for (const auto& [name, v] : env_) names.push_back(name);
    fail(e.begin,
         fmt::format("unknown argument '{}'{}; {}", e.name, did_you_mean(e.name, names),
                     names.empty() ? std::string("this Lambda has no arguments")
                                   : fmt::format("the arguments are {}", fmt::join(names, ", "))));
  }

  ValueId value_at(const BoundCall& b, size_t i) { return materialize(eval(*b.args[i])); }
  static int axis_at(const BoundCall& b, size_t i) { return static_cast<int>(b.integer(i)); }

  Operand call(const Expr& e) {
    const LambdaFunction* f = find_lambda_function(e.name);
    if (!f) unknown_function(e);
    if (f->fn == LambdaFn::kExtremum) return extremum(e, *f);
    const BoundCall b = bind_call(e, f->usage, text_);
    switch (f->fn) {
      case LambdaFn::kUnary:
        return add(f->op, NoAttrs{}, {value_at(b, 0)}, e);
      case LambdaFn::kBinary:
        return add(f->op, NoAttrs{}, {value_at(b, 0), value_at(b, 1)}, e);
      case LambdaFn::kReduce:
        return add(f->op, ReduceAttrs{axis_at(b, 1), b.flag(2)}, {value_at(b, 0)}, e);
      case LambdaFn::kDot:
        return add(f->op, ReduceAttrs{axis_at(b, 2), b.flag(3)}, {value_at(b, 0), value_at(b, 1)},
                   e);
      case LambdaFn::kNorm: {
        NormAttrs a;
        a.axis = axis_at(b, 1);
        a.keepdims = b.flag(2);
        return add(f->op, a, {value_at(b, 0)}, e);
      }
      case LambdaFn::kCosine: {
        CosineAttrs a;
        a.axis = axis_at(b, 2);
        a.keepdims = b.flag(3);
        return add(f->op, a, {value_at(b, 0), value_at(b, 1)}, e);
      }
      case LambdaFn::kSlice:
        return add(f->op, SliceAttrs{axis_at(b, 3), b.integer(1), b.integer(2)}, {value_at(b, 0)},
                   e);
      case LambdaFn::kPart:
        return part(e, b);
      case LambdaFn::kBuiltin:
        return builtin(e, *f, b);
      case LambdaFn::kExtremum:
        break;
    }
    fail(e.begin, fmt::format("'{}' has no compilation rule", f->name));
  }

  [[noreturn]] void unknown_function(const Expr& e) const {
    for (const auto& [name, v] : env_)
      if (name == e.name) fail(e.begin, fmt::format("'{}' is an argument, not a function", e.name));
    const std::vector<std::string> names = lambda_function_names();
    fail(e.begin, fmt::format("unknown function '{}'{}", e.name, did_you_mean(e.name, names)));
  }

  // max(a, b) is elementwise; with one argument or with keywords it is a reduction.
  Operand extremum(const Expr& e, const LambdaFunction& f) {
    const auto positional = std::count_if(e.args.begin(), e.args.end(),
                                          [](const Expr& a) { return a.keyword.empty(); });
    if (e.args.size() == 2 && positional == 2) {
      const BoundCall b = bind_call(e, f.name == "max" ? "max(a, b)" : "min(a, b)", text_);
      return add(f.op, NoAttrs{}, {value_at(b, 0), value_at(b, 1)}, e);
    }
    if (positional > 1)
      fail(e.args[1].begin, fmt::format("'{0}' reduces only with keywords (axis=, keepdims=); two "
                                        "positional values mean the elementwise {0}(a, b); "
                                        "usage: {1}",
                                        f.name, f.usage));
    const BoundCall b = bind_call(e, f.usage, text_);
    const ReduceAttrs attrs{axis_at(b, 1), b.flag(2)};
    if (f.name == "max") return add("ReduceMax", attrs, {value_at(b, 0)}, e);
    // min x = −max(−x): no separate ReduceMin primitive to differentiate.
    const Operand negated = add("Neg", NoAttrs{}, {value_at(b, 0)}, e);
    const Operand largest = add("ReduceMax", attrs, {negated.value}, e);
    return add("Neg", NoAttrs{}, {largest.value}, e);
  }

  Operand part(const Expr& e, const BoundCall& b) {
    const ValueId x = value_at(b, 0);
    const int64_t k = b.integer(1);
    const int64_t n = b.integer(2);
    const int axis = axis_at(b, 3);
    const Shape& shape = g_.value(x).shape;
    const std::string what = fmt::format("'{}' {}", b.args[0]->source(text_), shape.to_string());
    int a = 0;
    try {
      a = shape.normalize_axis(axis);
    } catch (const ShapeError& error) {
      fail(e.begin, fmt::format("in '{}': {}", e.source(text_), error.what()));
    }
    if (shape[a] == kBatch)
      fail(e.begin, fmt::format("part() needs the size of axis {} of {}, which is only known at "
                                "run time",
                                axis, what));
    if (n < 1) fail(b.args[2]->begin, fmt::format("n must be at least 1, found {}", n));
    if (shape[a] % n != 0)
      fail(e.begin, fmt::format("axis {} of {} does not split into {} equal parts", axis, what, n));
    if (k < 0 || k >= n)
      fail(b.args[1]->begin,
           fmt::format("part {} is out of range: k must be in [0, {}]", k, n - 1));
    const int64_t width = shape[a] / n;
    return add("Slice", SliceAttrs{axis, k * width, (k + 1) * width}, {x}, e);
  }

  Operand builtin(const Expr& e, const LambdaFunction& f, const BoundCall& b) {
    Compiler inner(g_, name_, f.source, {{"a", value_at(b, 0)}, {"b", value_at(b, 1)}}, counters_,
                   rules_, padded_);
    try {
      return value(inner.compile(parse_expression(f.source)));
    } catch (const ExprError& error) {
      fail(e.begin, fmt::format("in '{}' = {}: {}", e.source(text_), f.source, error.message()));
    }
  }

  Graph& g_;
  const std::string& name_;
  std::string_view text_;
  Env env_;
  std::map<std::string, int>& counters_;
  const LambdaRules& rules_;
  std::map<ValueId, int64_t>& padded_;  // values with padded time steps on axis 1 -> T
};

void check_arguments(const std::vector<std::string>& arg_names, const std::vector<ValueId>& args) {
  if (arg_names.size() != args.size())
    throw GraphError(fmt::format("a Lambda with {} argument name(s) is given {} value(s)",
                                 arg_names.size(), args.size()));
  for (auto it = arg_names.begin(); it != arg_names.end(); ++it) {
    const std::string& n = *it;
    const bool identifier = !n.empty() && !std::isdigit(static_cast<unsigned char>(n[0])) &&
                            std::all_of(n.begin(), n.end(), [](char c) {
                              return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                            });
    if (!identifier || n == "true" || n == "false")
      throw GraphError(
          fmt::format("Lambda argument name '{}' is not usable: it must be letters, "
                      "digits and '_', and neither true nor false",
                      n));
    if (std::find(arg_names.begin(), it, n) != it)
      throw GraphError(fmt::format("Lambda argument '{}' is listed twice", n));
  }
}

}  // namespace

ValueId compile_lambda(Graph& g, const std::string& name, std::string_view text,
                       const std::vector<std::string>& arg_names, const std::vector<ValueId>& args,
                       const LambdaRules& rules) {
  check_arguments(arg_names, args);
  std::map<ValueId, int64_t> padded;
  for (size_t i = 0; i < rules.masks.size() && i < args.size(); ++i)
    if (rules.masks[i] >= 0 && g.value(args[i]).shape.rank() >= 2)
      padded[args[i]] = g.value(rules.masks[i]).shape[1];
  const Expr root = parse_expression(text);
  Compiler::Env env;
  for (size_t i = 0; i < args.size(); ++i) env.emplace_back(arg_names[i], args[i]);
  std::map<std::string, int> counters;
  g.push_scope(name);
  const ScopeGuard guard{g};
  const bool is_arg = std::find(arg_names.begin(), arg_names.end(), root.name) != arg_names.end();
  const LambdaFunction* whole =
      root.kind == ExprKind::kName && !is_arg ? find_lambda_function(root.name) : nullptr;
  if (whole && whole->fn != LambdaFn::kBuiltin) whole = nullptr;
  if (!whole) return Compiler(g, name, text, std::move(env), counters, rules, padded).compile(root);
  // A built-in named as the whole expression takes the Lambda's arguments in order.
  if (args.size() != 2)
    throw ExprError(text, 1,
                    fmt::format("built-in '{}' takes 2 arguments (a, b), but the Lambda "
                                "has {}",
                                whole->name, args.size()));
  try {
    return Compiler(g, name, whole->source, {{"a", args[0]}, {"b", args[1]}}, counters, rules,
                    padded)
        .compile(parse_expression(whole->source));
  } catch (const ExprError& error) {
    throw ExprError(
        text, 1,
        fmt::format("in built-in '{}' = {}: {}", whole->name, whole->source, error.message()));
  }
}

}  // namespace twinflow::graph
