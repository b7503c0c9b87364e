// tools/cli/json.h — the JSON type of every document the command line writes or reads
// (`--json` output, run.json, log.jsonl): nlohmann's, keeping keys in the order written, so a
// document reads in the order its header comment lists.
#pragma once

#include <nlohmann/json.hpp>

namespace twinflow::cli {

using json = nlohmann::ordered_json;

}  // namespace twinflow::cli
