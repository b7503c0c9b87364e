// The `graph:` step of build_model: a definition is a call expression ("bilstm(emb(left))")
// whose functions are layers and whose arguments are values or nested calls. Each is checked
// whole before anything is built, so independent mistakes in one line are all reported.
#include <fmt/format.h>

#include "graph/ir/suggest.h"
#include "graph/model/build.h"

namespace twinflow::graph {

namespace {

std::string plural(int n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string expected_args(const LayerSpec& layer) {
  const int lo = min_call_args(layer);
  const int hi = max_call_args(layer);
  if (lo == hi) return plural(lo, "value");
  return fmt::format("{} to {} values", lo, hi);
}

class CallChecker {
 public:
  CallChecker(BuildContext& ctx, ParsedDef& def)
      : ctx_(ctx), def_(def), where_("graph." + def.spec->names.front()) {}

  void check_root() {
    const Expr& root = *def_.root;
    if (root.kind == ExprKind::kCall)
      check_call(root, true);
    else
      not_a_call(root, true);
  }

 private:
  SourceLoc at(size_t offset) const { return offset_loc(def_.spec->text_loc, offset); }

  void fail(size_t offset, const std::string& message) { fail_at(at(offset), message); }

  void fail_at(const SourceLoc& loc, const std::string& message) {
    ctx_.error(loc, message);
    def_.ok = false;
  }

  void check_call(const Expr& e, bool top) {
    const auto it = ctx_.layers.find(e.name);
    if (it == ctx_.layers.end())
      unknown_layer(e);
    else if (ctx_.failed_layers.count(e.name))
      def_.ok = false;  // the layer's own error says why
    else
      check_arity(e, *it->second, top);
    for (const Expr& arg : e.args) {
      if (!arg.keyword.empty())
        fail(arg.keyword_begin,
             fmt::format("keyword '{}=' in {}: layer calls take values only; attributes belong "
                         "to the layer under layers:",
                         arg.keyword, where_));
      else if (arg.kind == ExprKind::kCall)
        check_call(arg, false);
      else if (arg.kind == ExprKind::kName)
        check_value(arg);
      else
        not_a_call(arg, false);
    }
  }

  void unknown_layer(const Expr& e) {
    if (ctx_.definitions.count(e.name))
      fail(e.begin, fmt::format("'{}' in {} is a value, not a layer: only layers can be called",
                                e.name, where_));
    else
      fail(e.begin, fmt::format("unknown layer '{}' in {}{}", e.name, where_,
                                did_you_mean(e.name, ctx_.layer_names())));
  }

  void check_arity(const Expr& e, const LayerSpec& layer, bool top) {
    const int n = static_cast<int>(e.args.size());
    if (n < min_call_args(layer) || n > max_call_args(layer))
      fail(e.begin, fmt::format("layer '{}' ({}) takes {}, got {} in {}", layer.name, layer.op,
                                expected_args(layer), n, where_));
    const int results = call_results(layer);
    const int names = static_cast<int>(def_.spec->names.size());
    if (top && results != names)  // reported where the names are written
      fail_at(def_.spec->loc,
              fmt::format("layer '{}' ({}) returns {}, but {} names {}", layer.name, layer.op,
                          plural(results, "value"), where_, plural(names, "value")));
    if (!top && results != 1)
      fail(e.begin, fmt::format("layer '{}' returns {}, so it cannot be an argument in {}; give "
                                "its results names in a definition of their own",
                                layer.name, plural(results, "value"), where_));
  }

  void check_value(const Expr& e) {
    if (ctx_.is_value(e.name) || ctx_.def_names.count(e.name)) return;
    if (ctx_.failed_values.count(e.name)) {
      def_.ok = false;  // a definition that reused a layer's name: its own error says so
      return;
    }
    if (ctx_.layers.count(e.name))
      fail(e.begin, fmt::format("'{0}' in {1} is a layer, not a value: call it, as in {0}(...)",
                                e.name, where_));
    else
      undefined(e);
  }

  void undefined(const Expr& e) {
    ctx_.undefined.push_back(e.name);
    fail(e.begin, fmt::format("undefined value '{}' in {}{}", e.name, where_,
                              did_you_mean(e.name, ctx_.value_names())));
  }

  void not_a_call(const Expr& e, bool top) {
    if (top && e.kind == ExprKind::kName) {
      fail(e.begin, fmt::format("{} must call a layer, as in '{}: some_layer({})'", where_,
                                def_.spec->names.front(), e.name));
      return;
    }
    fail(e.begin,
         fmt::format("'{}' in {} is not a layer call: the graph only calls layers on values; "
                     "for numbers and operators declare a Lambda layer (op: Lambda, args: "
                     "[a, b], expr: \"a - b\") and call it",
                     e.source(def_.spec->text), where_));
  }

  BuildContext& ctx_;
  ParsedDef& def_;
  std::string where_;
};

// Builds the calls of one definition, innermost first, naming nested calls "<def>.<layer>".
class CallBuilder {
 public:
  CallBuilder(BuildContext& ctx, const DefSpec& def, std::string name)
      : ctx_(ctx), def_(def), name_(std::move(name)) {}

  std::vector<ValueId> call(const Expr& e, const std::string& node) {
    std::vector<ValueId> xs;
    std::vector<std::string> inputs;
    for (const Expr& arg : e.args) {
      if (arg.kind == ExprKind::kName) {
        xs.push_back(ctx_.model.values.at(arg.name));
        inputs.push_back(arg.name);
      } else {
        const std::string inner = ctx_.fresh_name(name_ + "." + arg.name);
        xs.push_back(call(arg, inner).front());
        inputs.push_back(inner);
      }
    }
    const LayerSpec& layer = *ctx_.layers.at(e.name);
    const SourceLoc loc = offset_loc(def_.text_loc, e.begin);
    std::vector<ValueId> ys = apply_layer(ctx_, layer, xs, node, loc);
    ctx_.model.applications.push_back(Application{node, layer.name, layer.op, inputs, ys, loc});
    return ys;
  }

 private:
  BuildContext& ctx_;
  const DefSpec& def_;
  std::string name_;
};

}  // namespace

ParsedDef parse_def(BuildContext& ctx, const DefSpec& def) {
  ParsedDef out;
  out.spec = &def;
  if (def.names.empty()) {
    ctx.error(def.loc, "a graph definition without a name");
    out.ok = false;
    return out;
  }
  try {
    out.root = parse_expression(def.text);
  } catch (const ExprError& e) {
    ctx.error(offset_loc(def.text_loc, static_cast<size_t>(e.column() - 1)),
              fmt::format("graph.{}: {}", def.names.front(), e.message()));
    out.ok = false;
    return out;
  }
  collect_names(*out.root, out.reads);
  CallChecker(ctx, out).check_root();
  return out;
}

void build_def(BuildContext& ctx, const ParsedDef& def) {
  const auto fail = [&] { ctx.failed_values.insert(def.owned.begin(), def.owned.end()); };
  bool ok = def.ok;
  for (const std::string& name : def.reads) ok = ok && !ctx.failed_values.count(name);
  if (!ok) return fail();
  const std::vector<std::string>& names = def.spec->names;
  const std::string node =
      names.size() == 1 ? names.front() : fmt::format("{}", fmt::join(names, ","));
  ctx.taken_names.insert(node);
  try {
    const std::vector<ValueId> ys = CallBuilder(ctx, *def.spec, node).call(*def.root, node);
    for (size_t i = 0; i < names.size() && i < ys.size(); ++i) ctx.model.values[names[i]] = ys[i];
  } catch (const BuildError& e) {
    ctx.error(e.loc(), e.what());
    fail();
  }
}

}  // namespace twinflow::graph
