// The `outputs:` and `loss:` steps of build_model. A built-in loss is one node named "loss"
// over the values its roles name; an expression loss is a Lambda over graph values by name,
// compiled in scope "loss", and must come out a scalar.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "graph/ir/attrs.h"
#include "graph/ir/suggest.h"
#include "graph/lambda/lambda.h"
#include "graph/model/build.h"

namespace twinflow::graph {

namespace {

struct BuiltinLoss {
  std::string_view name;  // as written in `loss: {op: ...}`
  std::string_view op;    // the registered op
  std::vector<std::string_view> roles;
  std::any default_attrs;
};

const std::vector<BuiltinLoss>& builtin_losses() {
  static const std::vector<BuiltinLoss> kLosses = {
      {"binary_crossentropy", "BinaryCrossentropy", {"pred", "target"}, BinaryCrossentropyAttrs{}},
      {"triplet_margin", "TripletMargin", {"pred"}, TripletMarginAttrs{}},
      {"contrastive", "Contrastive", {"distance", "target"}, ContrastiveAttrs{}},
      {"batch_all_triplet", "BatchAllTriplet", {"pred"}, BatchTripletAttrs{}},
      {"batch_hard_triplet", "BatchHardTriplet", {"pred"}, BatchHardTripletAttrs{}},
      {"semi_hard_triplet", "SemiHardTriplet", {"pred"}, BatchTripletAttrs{}},
      {"multiple_negatives_ranking",
       "MultipleNegativesRanking",
       {"pred"},
       MultipleNegativesRankingAttrs{}},
  };
  return kLosses;
}

void check_scalar(BuildContext& ctx, ValueId loss, const SourceLoc& loc, std::string_view what) {
  const Shape& shape = ctx.graph().value(loss).shape;
  if (shape.rank() == 0) {
    ctx.model.loss = loss;
    return;
  }
  ctx.error(loc, fmt::format("the loss must be a scalar, but {} has shape {}; reduce it, as in "
                             "mean(...)",
                             what, shape.to_string()));
}

// The value a loss role names; nullopt after recording why not (silently for a failed value).
std::optional<ValueId> role_value(BuildContext& ctx, const LossSpec& loss, std::string_view role) {
  const auto it = std::find_if(loss.inputs.begin(), loss.inputs.end(),
                               [&](const auto& entry) { return entry.first == role; });
  if (it == loss.inputs.end()) {
    ctx.error(loss.loc, fmt::format("loss {} needs '{}'", loss.op, role));
    return std::nullopt;
  }
  const NameRef& ref = it->second;
  if (ctx.failed_values.count(ref.name)) return std::nullopt;
  const auto value = ctx.model.values.find(ref.name);
  if (value == ctx.model.values.end()) {
    ctx.undefined.push_back(ref.name);
    ctx.error(ref.loc, fmt::format("loss {} '{}' is not defined{}", role, ref.name,
                                   did_you_mean(ref.name, ctx.value_names())));
    return std::nullopt;
  }
  return value->second;
}

void build_builtin_loss(BuildContext& ctx, const LossSpec& loss, const BuiltinLoss& kind) {
  std::vector<ValueId> inputs;
  bool ok = true;
  for (std::string_view role : kind.roles) {
    const std::optional<ValueId> v = role_value(ctx, loss, role);
    ok = ok && v.has_value();
    if (v) inputs.push_back(*v);
  }
  for (const auto& [role, ref] : loss.inputs)
    if (std::find(kind.roles.begin(), kind.roles.end(), role) == kind.roles.end()) {
      ctx.error(ref.loc, fmt::format("loss {} does not read '{}'", loss.op, role));
      ok = false;
    }
  const OpSchema* op = op_registry().find(kind.op);
  if (!ok || !op) return;
  try {
    const ValueId y =
        ctx.graph().add_node(*op, loss.attrs.has_value() ? loss.attrs : kind.default_attrs, inputs,
                             ctx.fresh_name("loss"), loss.loc);
    check_scalar(ctx, y, loss.loc, fmt::format("{}", loss.op));
  } catch (const GraphError& e) {
    ctx.error(loss.loc, without_location(e.what(), loss.loc));
  } catch (const std::bad_any_cast&) {
    ctx.error(loss.loc,
              fmt::format("loss {}: its attributes are not those of op {}", loss.op, kind.op));
  }
}

void build_expression_loss(BuildContext& ctx, const LossSpec& loss) {
  const auto at = [&](size_t offset) { return offset_loc(loss.expr_loc, offset); };
  std::optional<Expr> root;
  try {
    root = parse_expression(loss.expr);
  } catch (const ExprError& e) {
    ctx.error(at(static_cast<size_t>(e.column() - 1)), "loss: " + e.message());
    return;
  }
  std::vector<std::string> values_read;
  for (const auto& [name, begin] : free_names(*root))
    if (ctx.is_value(name) || ctx.def_names.count(name)) values_read.push_back(name);
  const auto unknown = unknown_functions(*root, values_read);
  for (const auto& [offset, message] : unknown) ctx.error(at(offset), "loss: " + message);
  if (!unknown.empty()) return;
  std::vector<std::string> names;
  std::vector<ValueId> values;
  bool ok = true;
  for (const auto& [name, begin] : free_names(*root)) {
    const auto it = ctx.model.values.find(name);
    if (it != ctx.model.values.end()) {
      names.push_back(name);
      values.push_back(it->second);
    } else if (ctx.failed_values.count(name)) {
      ok = false;
    } else if (!find_lambda_function(name)) {  // a function named bare: compiling says so
      ctx.undefined.push_back(name);
      ctx.error(at(begin), fmt::format("undefined value '{}' in the loss expression{}", name,
                                       did_you_mean(name, ctx.value_names())));
      ok = false;
    }
  }
  if (!ok) return;
  try {
    const ValueId y = compile_lambda(ctx.graph(), ctx.fresh_name("loss"), loss.expr, names, values);
    check_scalar(ctx, y, loss.expr_loc, fmt::format("'{}'", loss.expr));
  } catch (const ExprError& e) {
    ctx.error(at(static_cast<size_t>(e.column() - 1)), "loss: " + e.message());
  } catch (const GraphError& e) {
    ctx.error(loss.loc, "loss: " + without_location(e.what(), loss.loc));
  }
}

}  // namespace

void build_outputs(BuildContext& ctx) {
  for (const NameRef& output : ctx.spec.outputs) {
    if (ctx.failed_values.count(output.name)) continue;
    const auto it = ctx.model.values.find(output.name);
    if (it == ctx.model.values.end()) {
      ctx.undefined.push_back(output.name);
      ctx.error(output.loc, fmt::format("output '{}' is not defined{}", output.name,
                                        did_you_mean(output.name, ctx.value_names())));
      continue;
    }
    ctx.model.outputs.push_back(it->second);
  }
}

void build_loss(BuildContext& ctx, const LossSpec& loss) {
  if (loss.op == "expression") return build_expression_loss(ctx, loss);
  for (const BuiltinLoss& kind : builtin_losses())
    if (kind.name == loss.op) return build_builtin_loss(ctx, loss, kind);
  std::vector<std::string> known{"expression"};
  for (const BuiltinLoss& kind : builtin_losses()) known.emplace_back(kind.name);
  ctx.error(loss.loc, fmt::format("unknown loss '{}'{}", loss.op, did_you_mean(loss.op, known)));
}

std::vector<std::string> loss_reads(const LossSpec& loss) {
  std::vector<std::string> out;
  for (const auto& [role, ref] : loss.inputs) out.push_back(ref.name);
  if (loss.op != "expression") return out;
  try {
    for (const auto& [name, begin] : free_names(parse_expression(loss.expr))) out.push_back(name);
  } catch (const ExprError&) {
    // Reported by build_loss.
  }
  return out;
}

}  // namespace twinflow::graph
