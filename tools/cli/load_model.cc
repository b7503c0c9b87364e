#include "tools/cli/load_model.h"

#include <fmt/format.h>

namespace twinflow::cli {

std::string diagnostics_text(const graph::Diagnostics& diags, const std::string& path) {
  std::string text = diags.to_string();
  if (diags.has_errors()) {
    const int n = diags.error_count();
    text += fmt::format("{}: {} error{}\n", path, n, n == 1 ? "" : "s");
  }
  return text;
}

LoadedModel load_model_quietly(const std::string& path,
                               const std::function<void(graph::ModelSpec&)>& adjust) {
  LoadedModel loaded;
  std::optional<graph::ModelSpec> spec = graph::parse_spec_file(path, loaded.diags);
  if (!spec) return loaded;
  if (adjust) adjust(*spec);
  loaded.model = graph::build_model(*spec, loaded.diags);
  return loaded;
}

std::optional<graph::Model> load_model(const std::string& path, std::ostream& err,
                                       const std::function<void(graph::ModelSpec&)>& adjust) {
  LoadedModel loaded = load_model_quietly(path, adjust);
  err << diagnostics_text(loaded.diags, path);
  return std::move(loaded.model);
}

}  // namespace twinflow::cli
