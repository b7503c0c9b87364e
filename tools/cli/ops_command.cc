// `twinflow ops`: every op a spec can declare as a layer, every loss and every function a
// Lambda expression may call, with the keys each takes — read from the same tables the spec
// parser uses, so the list cannot fall behind it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <vector>

#include "graph/lambda/functions.h"
#include "graph/spec/fields.h"
#include "graph/spec/layer_keys.h"
#include "graph/spec/layers.h"
#include "tools/cli/commands.h"

namespace twinflow::cli {

namespace {

std::string joined(const std::vector<std::string>& items) {
  return items.empty() ? "-" : fmt::format("{}", fmt::join(items, ", "));
}

void print_ops(std::ostream& out) {
  out << "Layers (layers: NAME: {op: OP, KEY: VALUE, ...}):\n";
  for (const std::string& op : graph::layer_kind_names())
    out << fmt::format("  {:<26} {}\n", op, joined(graph::layer_attribute_keys(op)));
  out << "\nLosses (loss: {op: OP, KEY: VALUE, ...}):\n";
  for (std::string_view op : graph::kLossOps)
    out << fmt::format("  {:<26} {}\n", op, joined(graph::loss_attribute_keys(op)));
  out << "\nLambda functions (expr: \"...\"):\n";
  for (const graph::LambdaFunction& f : graph::lambda_functions()) {
    if (f.fn == graph::LambdaFn::kBuiltin) continue;
    out << fmt::format("  {:<26} {}\n", f.name, f.usage);
  }
  out << "\nNamed Lambda expressions (expr: NAME, over (a, b)):\n";
  for (const std::string& name : graph::builtin_lambda_names())
    out << fmt::format("  {:<30} {}\n", name, graph::builtin_lambda(name).value_or(""));
}

}  // namespace

void add_ops_command(CLI::App& app, Io& io) {
  CLI::App* cmd = app.add_subcommand(
      "ops", "List the layer ops, losses and Lambda functions a spec can use, with their keys");
  cmd->callback([&io] { print_ops(io.out); });
}

}  // namespace twinflow::cli
