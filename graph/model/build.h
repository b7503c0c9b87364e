// graph/model/build.h — the state build_model (graph/model/model.h) threads through its steps,
// shared by graph/model/*.cc only: what is defined, what failed (so that readers of a failed name
// are skipped without a second message), which values carry a padding mask, and the graph scope.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/diagnostics.h"
#include "graph/lambda/expr.h"
#include "graph/model/model.h"
#include "graph/spec/layers.h"
#include "graph/spec/spec.h"

namespace twinflow::graph {

// A failure inside one definition, already worded for the user, at a place in the spec.
class BuildError : public GraphError {
 public:
  BuildError(SourceLoc loc, const std::string& message) : GraphError(message), loc_(loc) {}
  const SourceLoc& loc() const { return loc_; }

 private:
  SourceLoc loc_;
};

// One entry of `graph:` after parsing: its expression and the names it reads.
struct ParsedDef {
  const DefSpec* spec = nullptr;
  std::optional<Expr> root;        // absent when the text does not parse
  std::vector<std::string> reads;  // names in argument positions, in source order
  std::vector<std::string> owned;  // the names it defines first (a repeated name is not)
  bool ok = true;                  // no error found before building
};

struct BuildContext {
  BuildContext(const ModelSpec& s, Diagnostics& d, Model& m) : spec(s), diags(d), model(m) {}

  const ModelSpec& spec;
  Diagnostics& diags;
  Model& model;
  Graph& graph() { return *model.graph; }

  // Every name of the shared namespace: what it first was ("input", "layer", "graph value")
  // and where.
  std::map<std::string, std::pair<std::string, SourceLoc>, std::less<>> definitions;
  std::map<std::string, const LayerSpec*, std::less<>> layers;  // first definition of each name
  std::map<std::string, LayerId, std::less<>> graph_layers;     // the layers owning parameters
  std::set<std::string, std::less<>> failed_layers;
  std::set<std::string, std::less<>> def_names;  // every name `graph:` defines
  std::set<std::string, std::less<>> failed_values;
  std::map<ValueId, ValueId> masks;     // value -> the token ids that mark its padding
  std::set<std::string> taken_names;    // node and composite names handed out
  std::map<std::string, int> suffixes;  // fresh_name: per base, the last suffix tried
  std::string scope;                    // the graph's open scope path ("" = none)
  std::set<std::string> reported;       // "loc|message", so one mistake prints once
  std::vector<std::string> undefined;   // names reported as undefined values

  // Claims a name for `what`; a name defined before is an error naming the first definition.
  bool declare(const std::string& name, const std::string& what, const SourceLoc& loc);
  // Records an error, on one line, unless the very same one was already recorded.
  void error(const SourceLoc& loc, const std::string& text);
  bool is_value(std::string_view name) const { return model.values.count(std::string(name)) > 0; }
  // Inputs and graph definitions, for "did you mean".
  std::vector<std::string> value_names() const;
  std::vector<std::string> layer_names() const;
  // `base` (unique among nodes and composites), else base_2, base_3, ...
  std::string fresh_name(const std::string& base);
};

// Sets the graph's open scope to exactly `path` ("a/inner": composites nest by name) while it
// lives, and restores the previous one, also when an error unwinds through it.
class ScopeAt {
 public:
  ScopeAt(BuildContext& ctx, const std::string& path);
  ~ScopeAt();
  ScopeAt(const ScopeAt&) = delete;
  ScopeAt& operator=(const ScopeAt&) = delete;

 private:
  void enter(const std::string& path);
  BuildContext& ctx_;
  std::string saved_;
};

// The place `offset` bytes into a text that starts at `base` (same line).
SourceLoc offset_loc(const SourceLoc& base, size_t offset);
// A GraphError's text without the "file:line:column: " the graph put in front of it.
std::string without_location(const std::string& message, const SourceLoc& loc);
// "Dense", "Lambda", ...: the LayerKind of a layer spec; null for an unknown op.
const LayerKind* kind_of(const LayerSpec& layer);
// How many values a call of the layer passes and returns.
int min_call_args(const LayerSpec& layer);
int max_call_args(const LayerSpec& layer);
int call_results(const LayerSpec& layer);
// Where a Lambda's i-th expression starts (the layer's name when not known).
SourceLoc lambda_expr_loc(const LayerSpec& layer, size_t i);

// graph/model/layers.cc: checks every layer and adds those owning parameters to the graph.
void add_layers(BuildContext& ctx);
// After a layer's first use: every initializer must name one of its parameters.
void check_initializer_kinds(BuildContext& ctx, const LayerSpec& layer, LayerId id);

// graph/model/calls.cc: parses and checks a definition (every error it can find before
// building), then builds it; a failure marks its names failed.
ParsedDef parse_def(BuildContext& ctx, const DefSpec& def);
void build_def(BuildContext& ctx, const ParsedDef& def);

// graph/model/apply.cc: applies one layer to values as node `name`, or as a composite whose
// nodes are named and scoped under `scope` (by default the name itself); returns its results.
// Throws BuildError at `loc` (a Lambda's expression errors: at the expression).
std::vector<ValueId> apply_layer(BuildContext& ctx, const LayerSpec& layer,
                                 const std::vector<ValueId>& xs, const std::string& name,
                                 const SourceLoc& loc, const std::string& scope = {});

// graph/model/loss.cc
void build_outputs(BuildContext& ctx);
void build_loss(BuildContext& ctx, const LossSpec& loss);
// The names the loss reads (for the unused-input warning), parse errors ignored.
std::vector<std::string> loss_reads(const LossSpec& loss);

// Names in argument positions of a parsed expression (function names excluded).
void collect_names(const Expr& e, std::vector<std::string>& out);
// The names an expression reads, each once, with the offset where it first appears.
std::vector<std::pair<std::string, size_t>> free_names(const Expr& e);
// Calls of functions a Lambda expression cannot call, as (offset, message) worded as
// compile_lambda words them. Checked before building, so that an expression that is never
// compiled (because what it reads failed) still reports them.
std::vector<std::pair<size_t, std::string>> unknown_functions(const Expr& e,
                                                              const std::vector<std::string>& args);

}  // namespace twinflow::graph
