// tests/fuzz/fuzz_model_dir.cc — a saved model directory loaded as eval, embed and --resume load
// it: the spec built, the vocabulary and the state read, the weights loaded into a parameter
// store of the state's dtype, the optimizer's state loaded into the spec's optimizer, the log
// read.
//
// The input is the directory's files as parts (tests/fuzz/fuzz_input.h), in this order:
//   spec.yaml, vocab.txt, weights.safetensors, state.json, optimizer.safetensors, log.jsonl
// written into a scratch directory of this process; a part the input lacks is a missing file.
// The loaders' errors are graph::RuntimeInputError (ModelDirError, DataError),
// SafetensorsError and FileError; any other exception is a finding.
#include <cstdint>
#include <string>
#include <vector>

#include "ops/registry.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/io/atomic_file.h"
#include "runtime/io/safetensors.h"
#include "runtime/optim/optimizer.h"
#include "runtime/saved/model_dir.h"
#include "runtime/saved/model_roles.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using twinflow::runtime::SavedModel;

constexpr const char* kFiles[] = {
    "spec.yaml", "vocab.txt", "weights.safetensors", "state.json", "optimizer.safetensors",
    "log.jsonl"};

template <typename T>
void load_weights_and_state(const std::string& dir, const SavedModel& saved) {
  twinflow::runtime::ParameterStore<T> params(*saved.model.graph, saved.state.seed);
  twinflow::runtime::load_dir_weights(dir, "weights.safetensors", params);
  const std::string state = twinflow::runtime::dir_file(dir, "optimizer.safetensors");
  if (!std::filesystem::exists(state)) return;
  auto optimizer = twinflow::runtime::make_optimizer<T>(saved.model.spec.train.optimizer);
  optimizer->load_state(state, params);
}

void load(const std::string& dir) {
  const SavedModel saved = twinflow::runtime::load_model_dir(dir);
  (void)twinflow::runtime::model_roles(saved.model);
  if (saved.state.dtype == "float64")
    load_weights_and_state<double>(dir, saved);
  else
    load_weights_and_state<float>(dir, saved);
  (void)twinflow::runtime::read_log(dir);
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
