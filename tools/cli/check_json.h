// tools/cli/check_json.h — `twinflow check --json`: what check prints, as one JSON document
// for scripts. A symbolic batch dimension is null in a shape.
//
//   {"ok": bool, "specs": [{"file", "ok", "errors", "warnings",
//     "diagnostics": [{"severity", "file", "line", "column", "message"}],
//     "model": {"name", "inputs": [{"name", "shape", "dtype"}],
//               "applications": [{"name", "layer", "op", "inputs", "output_shapes"}],
//               "layers": [{"name", "op", "params", "uses"}],
//               "outputs": [{"name", "shape"}], "loss": {"op", "shape"} | null,
//               "params": {"total", "trainable", "frozen"}}}]}     ("model" only when ok)
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/cli/load_model.h"

namespace twinflow::cli {

nlohmann::ordered_json check_json(const std::string& path, const LoadedModel& loaded);

}  // namespace twinflow::cli
