// tests/fuzz/fuzz_spec.cc — a YAML model spec read and built into a graph, as `twinflow check`
// does: parse_spec, build_model, the summary and the sharing report.
//
// Both steps promise never to throw on bad input, so nothing is caught: every exception is a
// finding. Also checked, because a saved model's spec.yaml is the emitted text read again:
//   - a step that returns nothing has reported an error;
//   - a spec that builds is emitted with every default (emit_spec), and that text parses and
//     builds again, and emits to the same text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "graph/model/model.h"
#include "graph/model/summary.h"
#include "graph/spec/spec.h"
#include "ops/registry.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using twinflow::graph::Diagnostics;
using twinflow::graph::Model;
using twinflow::graph::ModelSpec;

[[noreturn]] void broken(const char* what, const std::string& text, const Diagnostics& diags) {
  std::fprintf(stderr, "fuzz_spec: %s\n--- text ---\n%s\n--- diagnostics ---\n%s\n", what,
               text.c_str(), diags.to_string().c_str());
  std::abort();
}

void check_round_trip(const Model& model) {
  const std::string emitted = twinflow::graph::emit_spec(model.spec);
  Diagnostics diags;
  std::optional<ModelSpec> spec = twinflow::graph::parse_spec(emitted, "emitted.yaml", diags);
  if (!spec) broken("the emitted spec does not parse", emitted, diags);
  if (!twinflow::graph::build_model(*spec, diags))
    broken("the emitted spec does not build", emitted, diags);
  if (twinflow::graph::emit_spec(*spec) != emitted)
    broken("the emitted spec emits to another text", emitted, diags);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool registered = (twinflow::ops::register_builtin_ops(), true);
  (void)registered;
  const std::string_view text = twinflow::fuzz::as_text(data, size);
  Diagnostics diags;
  std::optional<ModelSpec> spec = twinflow::graph::parse_spec(text, "fuzz.yaml", diags);
  if (!spec) {
    if (!diags.has_errors()) broken("parse_spec failed without an error", std::string(text), diags);
    twinflow::fuzz::rejected(diags.to_string().c_str());
    return 0;
  }
  std::optional<Model> model = twinflow::graph::build_model(*spec, diags);
  if (!model) {
    if (!diags.has_errors())
      broken("build_model failed without an error", std::string(text), diags);
    twinflow::fuzz::rejected(diags.to_string().c_str());
    return 0;
  }
  (void)twinflow::graph::model_summary(*model);
  (void)twinflow::graph::sharing_report(*model);
  check_round_trip(*model);
  return 0;
}
