// Building, loading and saving a model, and its weights (python/bindings/model.h).
#include "python/bindings/model.h"

#include <fmt/format.h>

#include <filesystem>

#include "graph/model/summary.h"
#include "python/bindings/arrays.h"
#include "python/bindings/errors.h"
#include "python/bindings/python_stream.h"
#include "runtime/io/safetensors.h"
#include "runtime/io/weights_file.h"
#include "runtime/saved/run_dir.h"
#include "runtime/train/trainer.h"
#include "tools/cli/load_model.h"

namespace twinflow::python {

namespace {

template <typename T>
std::unique_ptr<runtime::ParameterStore<T>> new_store(const graph::Model& model, uint64_t seed) {
  return std::make_unique<runtime::ParameterStore<T>>(*model.graph, seed);
}

template <typename T>
runtime::StoredTensor stored_from(const py::array& a) {
  const auto values = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
  std::vector<int64_t> dims(a.shape(), a.shape() + a.ndim());
  return runtime::to_stored(std::span<const T>(values.data(), static_cast<size_t>(values.size())),
                            graph::Shape(dims));
}

}  // namespace

Model::Model(graph::Model model, std::string dtype)
    : model_(std::move(model)), dtype_(std::move(dtype)) {
  if (dtype_ != "float32" && dtype_ != "float64")
    throw ArgumentError(fmt::format("dtype must be 'float32' or 'float64', not '{}'", dtype_));
  const auto seed = static_cast<uint64_t>(model_.spec.train.seed);
  if (dtype_ == "float64")
    params_ = new_store<double>(model_, seed);
  else
    params_ = new_store<float>(model_, seed);
  state_.seed = seed;
  state_.dtype = dtype_;
}

Model Model::from_yaml(const std::string& path, const std::string& dtype) {
  cli::LoadedModel loaded = cli::load_model_quietly(path, runtime::resolve_spec_paths);
  const std::string diagnostics = cli::diagnostics_text(loaded.diags, path);
  if (!loaded.model) throw SpecError(diagnostics);
  if (!diagnostics.empty()) PythonStream("stderr") << diagnostics;
  return Model(std::move(*loaded.model), dtype);
}

Model Model::load(const std::string& dir) {
  runtime::SavedModel saved = runtime::load_model_dir(dir);
  Model m(std::move(saved.model), saved.state.dtype);
  std::visit([&](auto& store) { runtime::load_dir_weights(dir, saved.weights, *store); },
             m.params_);
  m.vocab_ = std::move(saved.vocab);
  m.state_ = saved.state;
  m.log_ = runtime::read_log(dir);
  m.weights_set_ = true;
  return m;
}

std::string Model::summary() const {
  return graph::model_summary(model_) + "\n" + graph::sharing_report(model_) +
         graph::stacking_summary(model_);
}

// What a model directory needs for eval, embed, predict, similar and Model.load. The optimizer
// state is not kept: the run a directory can --resume is the one fit(out=DIR) writes.
void Model::save(const std::string& dir, bool overwrite) const {
  namespace fs = std::filesystem;
  if (fs::exists(dir) && !fs::is_directory(dir))
    throw runtime::ModelDirError(fmt::format("{}: a file, not a directory", dir));
  if (fs::is_directory(dir) && !fs::is_empty(dir)) {
    if (!overwrite)
      throw runtime::ModelDirError(fmt::format(
          "{}: not empty. Choose another directory, or save(..., overwrite=True) to replace the "
          "run files in it",
          dir));
    for (const std::string& name : runtime::run_files()) fs::remove_all(fs::path(dir) / name);
  }
  fs::create_directories(dir);
  runtime::write_spec(dir, model_.spec);
  vocab_.write(runtime::dir_file(dir, "vocab.txt"));
  std::visit(
      [&](const auto& store) {
        runtime::save_weights(runtime::dir_file(dir, "weights.safetensors"), *store);
      },
      params_);
  runtime::write_log(dir, log_);
  runtime::TrainState state = state_;
  state.checkpoint.clear();
  runtime::write_state(dir, state);
}

py::dict Model::weights() const {
  py::dict out;
  std::visit(
      [&]<typename T>(const Store<T>& store) {
        for (const runtime::Parameter<T>& p : store->all()) {
          py::array_t<T> a = new_array<T>(p.data.shape.dims());
          std::copy(p.data.data.begin(), p.data.data.end(), a.mutable_data());
          out[py::str(p.name)] = a;
        }
      },
      params_);
  return out;
}

// As train --init and --init-partial: the names and shapes must match, and unless partial the
// dict holds every parameter and nothing else; nothing changes when they do not.
void Model::set_weights(const py::dict& weights, bool partial) {
  runtime::SafetensorsContent content;
  for (const auto& [key, value] : weights) {
    const std::string name = py::str(key).cast<std::string>();
    const py::array a = py::module_::import("numpy").attr("asarray")(value);
    const char kind = a.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u')
      throw ArgumentError(
          fmt::format("set_weights: '{}' must be an array of numbers, got {}", name, describe(a)));
    content.tensors.emplace(name,
                            dtype_ == "float64" ? stored_from<double>(a) : stored_from<float>(a));
  }
  std::visit(
      [&](auto& store) {
        // Loaded into a copy, so that a mismatch found halfway leaves the model as it was.
        auto changed = std::make_unique<std::decay_t<decltype(*store)>>(*store);
        const runtime::WeightsLoadReport report = runtime::load_weights(
            content, *changed, partial ? runtime::LoadMode::kReport : runtime::LoadMode::kStrict,
            "set_weights");
        if (!report.mismatched.empty())
          throw ArgumentError(fmt::format("set_weights: shapes do not match: {}",
                                          fmt::join(report.mismatched, "; ")));
        store = std::move(changed);
      },
      params_);
  weights_set_ = true;
}

void Model::set_vocabulary(runtime::Vocabulary vocab) { vocab_ = std::move(vocab); }

const runtime::Vocabulary& Model::text_vocabulary(const char* what) const {
  if (vocab_.tokens().empty())
    throw ArgumentError(fmt::format(
        "{}: the model has no vocabulary to turn texts into token ids: fit it on texts (a TSV "
        "file or lists of strings), give Model.from_yaml(..., vocab=FILE), or load a saved "
        "model",
        what));
  return vocab_;
}

}  // namespace twinflow::python
