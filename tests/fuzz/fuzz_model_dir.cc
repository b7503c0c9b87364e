// tests/fuzz/fuzz_model_dir.cc — a saved model directory loaded as eval, embed and --resume load
// it: the spec built, the vocabulary and the state read, the model's roles found, the weights
// loaded into a parameter store of the state's dtype (with_saved_model), the optimizer's state
// loaded into the spec's optimizer, the log read.
//
// The input is the directory's files as parts (tests/fuzz/fuzz_input.h), in this order:
//   spec.yaml, vocab.txt, weights.safetensors, state.json, optimizer.safetensors, log.jsonl
// written into a scratch directory of this process; a part the input lacks is a missing file.
// The loaders' errors are graph::RuntimeInputError (ModelDirError, DataError),
// SafetensorsError and FileError; any other exception is a finding.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ops/registry.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/io/atomic_file.h"
#include "runtime/io/safetensors.h"
#include "runtime/optim/optimizer.h"
#include "runtime/saved/model_dir.h"
#include "runtime/saved/saved_model.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using twinflow::runtime::SavedModel;

constexpr const char* kFiles[] = {
    "spec.yaml", "vocab.txt", "weights.safetensors", "state.json", "optimizer.safetensors",
    "log.jsonl"};

template <typename T>
void load_optimizer_state(const std::string& dir, const SavedModel& saved,
                          const twinflow::runtime::ParameterStore<T>& params) {
  const std::string state = twinflow::runtime::dir_file(dir, "optimizer.safetensors");
  if (!std::filesystem::exists(state)) return;
  twinflow::runtime::make_optimizer<T>(saved.model.spec.train.optimizer)->load_state(state, params);
}

// What eval, embed, similar and predict load (runtime/saved/saved_model.h), then what --resume
// adds: the optimizer's state, into the optimizer the spec names, and the log.
void load(const std::string& dir) {
  twinflow::runtime::with_saved_model(dir, [&](const SavedModel& saved, const auto&, auto& params) {
    load_optimizer_state(dir, saved, params);
    (void)twinflow::runtime::read_log(dir);
    return 0;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool registered = (twinflow::ops::register_builtin_ops(), true);
  (void)registered;
  static const twinflow::fuzz::ScratchDir dir;
  const std::vector<std::string_view> parts =
      twinflow::fuzz::split_parts(twinflow::fuzz::as_text(data, size));
  for (size_t i = 0; i < std::size(kFiles); ++i)
    dir.put(kFiles[i], i < parts.size() ? &parts[i] : nullptr);
  try {
    load(dir.path().string());
  } catch (const twinflow::graph::RuntimeInputError& e) {
    twinflow::fuzz::rejected(e);
  } catch (const twinflow::runtime::SafetensorsError& e) {
    twinflow::fuzz::rejected(e);
  } catch (const twinflow::runtime::FileError& e) {
    twinflow::fuzz::rejected(e);
  }
  return 0;
}
