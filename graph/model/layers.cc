// The `layers:` step of build_model: every layer is checked once, here, so that a broken
// layer gives one message however often it is called; calls of a failed layer are skipped.
#include <fmt/format.h>

#include <algorithm>

#include "graph/ir/suggest.h"
#include "graph/lambda/functions.h"
#include "graph/model/build.h"

namespace twinflow::graph {

namespace {

// Names an expression reads that are not among the Lambda's arguments, worded as
// compile_lambda words them. A built-in named as the whole expression takes the arguments.
bool check_lambda_names(BuildContext& ctx, const LayerSpec& layer, size_t i, const Expr& root) {
  if (root.kind == ExprKind::kName && builtin_lambda(root.name)) return true;
  const SourceLoc base = lambda_expr_loc(layer, i);
  bool ok = true;
  for (const auto& [offset, message] : unknown_functions(root, layer.args)) {
    ctx.error(offset_loc(base, offset),
              fmt::format("layer '{}' (Lambda): {}", layer.name, message));
    ok = false;
  }
  for (const auto& [name, offset] : free_names(root)) {
    if (std::find(layer.args.begin(), layer.args.end(), name) != layer.args.end() ||
        find_lambda_function(name))
      continue;
    ctx.error(offset_loc(base, offset),
              fmt::format("layer '{}' (Lambda): unknown argument '{}'{}; {}", layer.name, name,
                          did_you_mean(name, layer.args),
                          layer.args.empty()
                              ? std::string("this Lambda has no arguments")
                              : fmt::format("the arguments are {}", fmt::join(layer.args, ", "))));
    ok = false;
  }
  return ok;
}

bool check_lambda(BuildContext& ctx, const LayerSpec& layer) {
  if (layer.exprs.empty()) {
    ctx.error(layer.loc, fmt::format("layer '{}' (Lambda) has no expression", layer.name));
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < layer.exprs.size(); ++i) {
    try {
      ok = check_lambda_names(ctx, layer, i, parse_expression(layer.exprs[i])) && ok;
    } catch (const ExprError& e) {
      ctx.error(offset_loc(lambda_expr_loc(layer, i), static_cast<size_t>(e.column() - 1)),
                fmt::format("layer '{}' (Lambda): {}", layer.name, e.message()));
      ok = false;
    }
  }
  return ok;
}

// A registered op: a layer owning parameters joins the graph now, so its initializers are set
// before its first use creates the parameters.
bool add_op_layer(BuildContext& ctx, const LayerSpec& layer) {
  const LayerKind* kind = kind_of(layer);
  const OpSchema* op = op_registry().find(layer.op);
  if (!kind || !op) {
    const std::vector<std::string> known = layer_kind_names();
    ctx.error(layer.op_loc.known() ? layer.op_loc : layer.loc,
              fmt::format("layer '{}' has unknown op '{}'{}", layer.name, layer.op,
                          did_you_mean(layer.op, known)));
    return false;
  }
  if (!kind->has_params) {
    for (const auto& [param_kind, init] : layer.initializers)
      ctx.error(layer.loc, fmt::format("layer '{}' ({}) has no parameters for its {}_initializer",
                                       layer.name, layer.op, param_kind));
    return layer.initializers.empty();
  }
  const LayerId id =
      ctx.graph().add_layer(layer.name, *op, layer.attrs, layer.trainable, layer.loc);
  for (const auto& [param_kind, init] : layer.initializers)
    ctx.graph().set_initializer(id, param_kind, init);
  ctx.graph_layers[layer.name] = id;
  return true;
}

// A Sequential passes one value from layer to layer, so each must take one and return one.
bool check_sequential_members(BuildContext& ctx, const LayerSpec& seq) {
  if (seq.layers.empty()) {
    ctx.error(seq.loc, fmt::format("Sequential '{}' has no layers", seq.name));
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < seq.layers.size(); ++i) {
    const std::string& name = seq.layers[i];
    const SourceLoc loc = i < seq.layer_locs.size() ? seq.layer_locs[i] : seq.loc;
    const auto it = ctx.layers.find(name);
    if (it == ctx.layers.end()) {
      ctx.error(loc, fmt::format("unknown layer '{}' in Sequential '{}'{}", name, seq.name,
                                 did_you_mean(name, ctx.layer_names())));
      ok = false;
      continue;
    }
    const LayerSpec& inner = *it->second;
    if (min_call_args(inner) > 1 || max_call_args(inner) < 1 || call_results(inner) != 1) {
      ctx.error(loc, fmt::format("layer '{}' ({}) cannot be part of Sequential '{}': a "
                                 "Sequential passes one value from layer to layer",
                                 name, inner.op, seq.name));
      ok = false;
    }
  }
  return ok;
}

// Depth-first over Sequential -> Sequential edges; a layer met again while still open closes
// a cycle, which is reported once, at the Sequential where the walk entered it.
class SequentialCycles {
 public:
  explicit SequentialCycles(BuildContext& ctx) : ctx_(ctx) {}

  void visit(const std::string& name) {
    const auto it = ctx_.layers.find(name);
    if (it == ctx_.layers.end() || it->second->op != "Sequential" || done_.count(name)) return;
    const auto open = std::find(path_.begin(), path_.end(), name);
    if (open != path_.end()) {
      report(std::vector<std::string>(open, path_.end()));
      return;
    }
    path_.push_back(name);
    for (const std::string& inner : it->second->layers) visit(inner);
    path_.pop_back();
    done_.insert(name);
  }

 private:
  void report(const std::vector<std::string>& cycle) {
    const LayerSpec& first = *ctx_.layers.at(cycle.front());
    ctx_.error(first.loc, fmt::format("Sequential '{}' contains itself: {} -> {}", first.name,
                                      fmt::join(cycle, " -> "), cycle.front()));
    ctx_.failed_layers.insert(cycle.begin(), cycle.end());
  }

  BuildContext& ctx_;
  std::vector<std::string> path_;
  std::set<std::string> done_;
};

// A Sequential holding a failed layer fails too, silently: the layer's own error says why.
void fail_sequentials_of_failed_layers(BuildContext& ctx) {
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& [name, layer] : ctx.layers) {
      if (layer->op != "Sequential" || ctx.failed_layers.count(name)) continue;
      for (const std::string& inner : layer->layers)
        if (!ctx.layers.count(inner) || ctx.failed_layers.count(inner)) {
          ctx.failed_layers.insert(name);
          changed = true;
          break;
        }
    }
  }
}

}  // namespace

void add_layers(BuildContext& ctx) {
  for (const LayerSpec& layer : ctx.spec.layers) {
    ctx.declare(layer.name, "layer", layer.loc);
    if (!ctx.layers.emplace(layer.name, &layer).second) continue;
    bool ok = true;
    if (layer.op == "Lambda")
      ok = check_lambda(ctx, layer);
    else if (layer.op != "Sequential")
      ok = add_op_layer(ctx, layer);
    if (!ok) ctx.failed_layers.insert(layer.name);
  }
  for (const auto& [name, layer] : ctx.layers)
    if (layer->op == "Sequential" && !check_sequential_members(ctx, *layer))
      ctx.failed_layers.insert(name);
  SequentialCycles cycles(ctx);
  for (const LayerSpec& layer : ctx.spec.layers) cycles.visit(layer.name);
  fail_sequentials_of_failed_layers(ctx);
}

void check_initializer_kinds(BuildContext& ctx, const LayerSpec& layer, LayerId id) {
  std::vector<std::string> kinds;
  for (ValueId p : ctx.graph().layer(id).params) {
    const std::string& local = ctx.graph().value(p).param.name;
    const std::string kind = local.substr(local.rfind('.') + 1);
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
  for (const auto& [kind, init] : layer.initializers) {
    if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) continue;
    std::vector<std::string> keys;
    for (const std::string& k : kinds) keys.push_back(k + "_initializer");
    ctx.error(layer.loc, fmt::format("layer '{}' ({}) has no parameter '{}' for its "
                                     "{}_initializer; its parameters are {}{}",
                                     layer.name, layer.op, kind, kind, fmt::join(kinds, ", "),
                                     did_you_mean(kind + "_initializer", keys)));
  }
}

}  // namespace twinflow::graph
