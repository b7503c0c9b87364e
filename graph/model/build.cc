#include "graph/model/build.h"

#include <fmt/format.h>

#include <algorithm>

#include "graph/ir/suggest.h"
#include "graph/lambda/functions.h"

namespace twinflow::graph {

bool BuildContext::declare(const std::string& name, const std::string& what, const SourceLoc& loc) {
  const auto [it, inserted] = definitions.try_emplace(name, what, loc);
  if (inserted) return true;
  const auto& [first_what, first_loc] = it->second;
  error(loc, fmt::format("name '{}' is defined twice (first as {}{})", name, first_what,
                         first_loc.known() ? fmt::format(" at line {}", first_loc.line) : ""));
  return false;
}

namespace {

// Diagnostics print one per line; the graph lists an op's producers on lines of their own.
std::string one_line(const std::string& message) {
  std::string out;
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] != '\n') {
      out += message[i];
      continue;
    }
    out += "; ";
    while (i + 1 < message.size() && message[i + 1] == ' ') ++i;
  }
  return out;
}

}  // namespace

void BuildContext::error(const SourceLoc& loc, const std::string& text) {
  const std::string message = one_line(text);
  if (reported.insert(loc.to_string() + "|" + message).second) diags.error(loc, message);
}

std::vector<std::string> BuildContext::value_names() const {
  std::vector<std::string> out;
  for (const InputSpec& input : spec.inputs) out.push_back(input.name);
  out.insert(out.end(), def_names.begin(), def_names.end());
  return out;
}

std::vector<std::string> BuildContext::layer_names() const {
  std::vector<std::string> out;
  for (const auto& [name, layer] : layers) out.push_back(name);
  return out;
}

// A name tried once stays taken, so the search for a base resumes where it last stopped: a
// Sequential applied n times asks for the same bases n times, and must not try n suffixes each.
std::string BuildContext::fresh_name(const std::string& base) {
  int& k = suffixes[base];  // 1 stands for base itself
  std::string name;
  do {
    ++k;
    name = k == 1 ? base : fmt::format("{}_{}", base, k);
  } while (taken_names.count(name) || model.graph->find_value(name));
  taken_names.insert(name);
  return name;
}

ScopeAt::ScopeAt(BuildContext& ctx, const std::string& path) : ctx_(ctx), saved_(ctx.scope) {
  enter(path);
}

ScopeAt::~ScopeAt() { enter(saved_); }

void ScopeAt::enter(const std::string& path) {
  if (!ctx_.scope.empty()) ctx_.graph().pop_scope();
  if (!path.empty()) ctx_.graph().push_scope(path);
  ctx_.scope = path;
}

SourceLoc offset_loc(const SourceLoc& base, size_t offset) {
  SourceLoc loc = base;
  loc.column += static_cast<int>(offset);
  return loc;
}

std::string without_location(const std::string& message, const SourceLoc& loc) {
  const std::string prefix = loc.to_string() + ": ";
  if (loc.known() && message.starts_with(prefix)) return message.substr(prefix.size());
  return message;
}

const LayerKind* kind_of(const LayerSpec& layer) { return find_layer_kind(layer.op); }

int min_call_args(const LayerSpec& layer) {
  if (layer.op == "Lambda") return static_cast<int>(layer.args.size());
  const LayerKind* kind = kind_of(layer);
  return kind ? kind->min_args : 1;
}

int max_call_args(const LayerSpec& layer) {
  if (layer.op == "Lambda") return static_cast<int>(layer.args.size());
  const LayerKind* kind = kind_of(layer);
  return kind ? kind->max_args : 1;
}

int call_results(const LayerSpec& layer) {
  return layer.op == "Lambda" ? static_cast<int>(layer.exprs.size()) : 1;
}

SourceLoc lambda_expr_loc(const LayerSpec& layer, size_t i) {
  return i < layer.expr_locs.size() ? layer.expr_locs[i] : layer.loc;
}

void collect_names(const Expr& e, std::vector<std::string>& out) {
  if (e.kind == ExprKind::kName) out.push_back(e.name);
  for (const Expr& arg : e.args) collect_names(arg, out);
}

std::vector<std::pair<std::string, size_t>> free_names(const Expr& e) {
  std::vector<std::pair<std::string, size_t>> out;
  std::vector<const Expr*> stack{&e};
  while (!stack.empty()) {
    const Expr* x = stack.back();
    stack.pop_back();
    if (x->kind == ExprKind::kName &&
        std::none_of(out.begin(), out.end(), [&](const auto& n) { return n.first == x->name; }))
      out.emplace_back(x->name, x->begin);
    for (auto it = x->args.rbegin(); it != x->args.rend(); ++it) stack.push_back(&*it);
  }
  return out;
}

std::vector<std::pair<size_t, std::string>> unknown_functions(
    const Expr& e, const std::vector<std::string>& args) {
  std::vector<std::pair<size_t, std::string>> out;
  std::vector<const Expr*> stack{&e};
  while (!stack.empty()) {
    const Expr* x = stack.back();
    stack.pop_back();
    const bool is_arg = std::find(args.begin(), args.end(), x->name) != args.end();
    if (x->kind == ExprKind::kCall && is_arg)
      out.emplace_back(x->begin, fmt::format("'{}' is an argument, not a function", x->name));
    else if (x->kind == ExprKind::kCall && !find_lambda_function(x->name))
      out.emplace_back(x->begin, fmt::format("unknown function '{}'{}", x->name,
                                             did_you_mean(x->name, lambda_function_names())));
    for (auto it = x->args.rbegin(); it != x->args.rend(); ++it) stack.push_back(&*it);
  }
  return out;
}

}  // namespace twinflow::graph
