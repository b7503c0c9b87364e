// build_model: inputs, then layers (graph/model/layers.cc), then the graph's definitions in
// dependency order (graph/model/calls.cc), then outputs and the loss (graph/model/loss.cc),
// then the warnings. Each step records its errors and goes on, so one pass reports them all.
#include "graph/model/model.h"

#include <fmt/format.h>

#include <algorithm>

#include "graph/ir/suggest.h"
#include "graph/model/build.h"
#include "graph/model/sharing_check.h"

namespace twinflow::graph {

namespace {

void declare_inputs(BuildContext& ctx) {
  for (const InputSpec& input : ctx.spec.inputs) {
    if (!ctx.declare(input.name, "input", input.loc)) continue;
    std::vector<int64_t> dims{kBatch};
    dims.insert(dims.end(), input.shape.extents().begin(), input.shape.extents().end());
    ctx.model.values[input.name] =
        ctx.graph().add_input(input.name, Shape(std::move(dims)), input.dtype, input.loc);
  }
}

// Claims every defined name up front (definitions may read names defined further down) and
// parses each definition. A definition reusing a name is skipped; when the name is a
// layer's, readers of it are skipped too, as they cannot mean a value.
std::vector<ParsedDef> parse_defs(BuildContext& ctx) {
  std::vector<std::vector<std::string>> owned(ctx.spec.defs.size());
  for (size_t i = 0; i < ctx.spec.defs.size(); ++i) {
    for (const std::string& name : ctx.spec.defs[i].names) {
      if (ctx.declare(name, "graph value", ctx.spec.defs[i].loc)) {
        ctx.def_names.insert(name);
        owned[i].push_back(name);
      } else if (ctx.layers.count(name) && !ctx.is_value(name) && !ctx.def_names.count(name)) {
        ctx.failed_values.insert(name);
      }
    }
  }
  std::vector<ParsedDef> defs;
  for (size_t i = 0; i < ctx.spec.defs.size(); ++i) {
    defs.push_back(parse_def(ctx, ctx.spec.defs[i]));
    ParsedDef& def = defs.back();
    def.owned = std::move(owned[i]);
    if (def.owned.size() != def.spec->names.size()) def.ok = false;
    if (!def.ok) ctx.failed_values.insert(def.owned.begin(), def.owned.end());
  }
  return defs;
}

std::string def_label(const DefSpec& def) { return fmt::format("{}", fmt::join(def.names, ", ")); }

// The names in a cycle message "cycle: a -> b -> a", each once.
std::vector<std::string> cycle_names(const std::string& message) {
  std::vector<std::string> out;
  std::string_view rest(message);
  if (rest.starts_with("cycle: ")) rest.remove_prefix(7);
  for (size_t arrow; (arrow = rest.find(" -> ")) != std::string_view::npos;) {
    out.emplace_back(rest.substr(0, arrow));
    rest.remove_prefix(arrow + 4);
  }
  return out;
}

// Definitions sorted so each comes after those it reads. A cycle is reported at its first
// definition and its members fail; the sort is then redone without them.
std::vector<int> definition_order(BuildContext& ctx, std::vector<ParsedDef>& defs) {
  std::map<std::string, int> definer;
  std::vector<std::string> labels;
  for (size_t i = 0; i < defs.size(); ++i) {
    labels.push_back(def_label(*defs[i].spec));
    for (const std::string& name : defs[i].spec->names)
      definer.try_emplace(name, static_cast<int>(i));
  }
  const auto deps = [&](int i) {
    std::vector<int> out;
    if (!defs[static_cast<size_t>(i)].ok) return out;
    for (const std::string& name : defs[static_cast<size_t>(i)].reads)
      if (const auto it = definer.find(name); it != definer.end() && defs[it->second].ok)
        out.push_back(it->second);
    return out;
  };
  for (;;) {
    try {
      return topological_order(labels, deps);
    } catch (const GraphError& e) {
      const std::vector<std::string> cycle = cycle_names(e.what());
      const auto first = std::find(labels.begin(), labels.end(), cycle.empty() ? "" : cycle[0]);
      const size_t at = first == labels.end() ? 0 : static_cast<size_t>(first - labels.begin());
      ctx.error(defs[at].spec->loc, fmt::format("graph definitions form a {}", e.what()));
      // Without a recognisable cycle, every definition fails: the loop must end.
      for (size_t i = 0; i < defs.size(); ++i)
        if (cycle.empty() || std::find(cycle.begin(), cycle.end(), labels[i]) != cycle.end()) {
          defs[i].ok = false;
          ctx.failed_values.insert(defs[i].owned.begin(), defs[i].owned.end());
        }
    }
  }
}

void warn_unused_inputs(BuildContext& ctx, const std::vector<ParsedDef>& defs) {
  std::set<std::string> read;
  for (const ParsedDef& def : defs) read.insert(def.reads.begin(), def.reads.end());
  for (const NameRef& output : ctx.spec.outputs) read.insert(output.name);
  if (ctx.spec.loss)
    for (const std::string& name : loss_reads(*ctx.spec.loss)) read.insert(name);
  // An input that a misspelt name was meant to read is already part of that error.
  for (const std::string& name : ctx.undefined)
    if (const auto meant = nearest_name(name, ctx.value_names())) read.insert(*meant);
  for (const InputSpec& input : ctx.spec.inputs)
    if (!read.count(input.name))
      ctx.diags.warning(input.loc, fmt::format("input '{}' is never used", input.name));
}

void build(BuildContext& ctx) {
  declare_inputs(ctx);
  add_layers(ctx);
  std::vector<ParsedDef> defs = parse_defs(ctx);
  for (int i : definition_order(ctx, defs)) build_def(ctx, defs[static_cast<size_t>(i)]);
  build_outputs(ctx);
  if (ctx.spec.loss) build_loss(ctx, *ctx.spec.loss);
  warn_unused_inputs(ctx, defs);
  warn_unshared_duplicates(ctx.spec, ctx.graph(), ctx.diags);
}

}  // namespace

LayerId Model::layer_id(std::string_view name) const {
  if (const std::optional<LayerId> id = graph->find_layer(name)) return *id;
  throw GraphError(fmt::format("model '{}' has no layer '{}' owning parameters", spec.name, name));
}

const SubwordInput* Model::subword_input(const std::string& name) const {
  const auto it = subword_inputs.find(name);
  return it == subword_inputs.end() ? nullptr : &it->second;
}

std::optional<Model> build_model(const ModelSpec& spec, Diagnostics& diags) {
  Model model;
  model.spec = spec;
  model.graph = std::make_unique<Graph>();
  const int errors_before = diags.error_count();
  try {
    BuildContext ctx(model.spec, diags, model);
    build(ctx);
  } catch (const std::exception& e) {
    // Every expected failure is recorded where it happens; this is the promise not to throw.
    diags.error(SourceLoc{spec.file, 0, 0},
                fmt::format("internal error while building model '{}': {}", spec.name, e.what()));
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return model;
}

}  // namespace twinflow::graph
