#include "tools/cli/load_model.h"

#include <fmt/format.h>

namespace twinflow::cli {

namespace {

void report(const graph::Diagnostics& diags, const std::string& path, std::ostream& err) {
  err << diags.to_string();
  if (diags.has_errors()) {
    const int n = diags.error_count();
    err << fmt::format("{}: {} error{}\n", path, n, n == 1 ? "" : "s");
  }
}

}  // namespace

std::optional<graph::Model> load_model(const std::string& path, std::ostream& err,
                                       const std::function<void(graph::ModelSpec&)>& adjust) {
  graph::Diagnostics diags;
  std::optional<graph::ModelSpec> spec = graph::parse_spec_file(path, diags);
  if (!spec) {
    report(diags, path, err);
    return std::nullopt;
  }
  if (adjust) adjust(*spec);
  std::optional<graph::Model> model = graph::build_model(*spec, diags);
  report(diags, path, err);
  return model;
}

}  // namespace twinflow::cli
