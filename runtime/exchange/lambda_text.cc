#include "runtime/exchange/lambda_text.h"

#include <fmt/format.h>

#include <vector>

#include "graph/ir/attrs.h"
#include "graph/lambda/functions.h"

namespace twinflow::runtime {

namespace {

std::string flag(bool b) { return b ? "true" : "false"; }

class Writer {
 public:
  Writer(const graph::Graph& g,
         const std::function<std::optional<std::string>(graph::ValueId)>& leaf)
      : g_(g), leaf_(leaf) {}

  std::string text(graph::ValueId v) {
    if (std::optional<std::string> name = leaf_(v)) return *name;
    const graph::Value& value = g_.value(v);
    if (value.kind == graph::ValueKind::kConstant) return fmt::format("{}", value.constant);
    if (value.kind != graph::ValueKind::kNodeOutput)
      throw graph::RuntimeInputError(
          fmt::format("{} is read inside a Lambda but is no argument of it", g_.describe_value(v)));
    return node_text(g_.node(value.producer));
  }

 private:
  std::string node_text(const graph::Node& n) {
    const std::string_view op = n.op->name;
    std::vector<std::string> x;
    for (graph::ValueId in : n.inputs) x.push_back(text(in));
    for (const char* arith : {"Add+", "Sub-", "Mul*", "Div/"})
      if (op == std::string_view(arith, 3)) return fmt::format("({} {} {})", x[0], arith[3], x[1]);
    if (op == "Maximum" || op == "Minimum")
      return fmt::format("{}({}, {})", op == "Maximum" ? "maximum" : "minimum", x[0], x[1]);
    // neg(x), not -x: a unary minus of a number folds into a constant, neg() never does.
    for (const graph::LambdaFunction& f : graph::lambda_functions())
      if (f.fn == graph::LambdaFn::kUnary && f.op == op) return fmt::format("{}({})", f.name, x[0]);
    if (const auto* r = std::any_cast<graph::ReduceAttrs>(&n.attrs)) {
      const char* name = op == "ReduceSum"    ? "sum"
                         : op == "ReduceMean" ? "mean"
                         : op == "ReduceMax"  ? "max"
                                              : nullptr;
      if (name)
        return fmt::format("{}({}, axis={}, keepdims={})", name, x[0], r->axis, flag(r->keepdims));
      if (op == "Dot")
        return fmt::format("dot({}, {}, axis={}, keepdims={})", x[0], x[1], r->axis,
                           flag(r->keepdims));
    }
    if (const auto* a = std::any_cast<graph::NormAttrs>(&n.attrs); a && op == "L2Norm")
      return fmt::format("norm({}, axis={}, keepdims={})", x[0], a->axis, flag(a->keepdims));
    if (const auto* a = std::any_cast<graph::CosineAttrs>(&n.attrs); a && op == "Cosine")
      return fmt::format("cosine({}, {}, axis={}, keepdims={})", x[0], x[1], a->axis,
                         flag(a->keepdims));
    if (const auto* a = std::any_cast<graph::SliceAttrs>(&n.attrs); a && op == "Slice")
      return fmt::format("slice({}, {}, {}, axis={})", x[0], a->begin, a->end, a->axis);
    throw graph::RuntimeInputError(
        fmt::format("node '{}' ({}) cannot be written as a Lambda expression", n.name, op));
  }

  const graph::Graph& g_;
  const std::function<std::optional<std::string>(graph::ValueId)>& leaf_;
};

}  // namespace

std::string lambda_text(const graph::Graph& g, graph::ValueId v,
                        const std::function<std::optional<std::string>(graph::ValueId)>& leaf) {
  return Writer(g, leaf).text(v);
}

}  // namespace twinflow::runtime
