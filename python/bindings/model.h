// python/bindings/ (the module twinflow._core): the Python package's compiled part.
// Owns the model object Python holds, NumPy conversions and the error mapping.
// May include: tools/cli (the progress bar, check and gradcheck texts), runtime/train and below.
//
// python/bindings/model.h — a model as Python holds it: the built spec, its parameters in the
// dtype it runs in, the vocabulary and what training recorded, so that fit, predict, embed,
// evaluate, save and load work on one object as the command line's commands do on a directory.
//
// The weights are the spec's initial values (under train.seed) until fit, set_weights or load
// changes them; after that, fit continues from them (with a fresh optimizer). The methods are
// defined by concern: python/bindings/model.cc (building, loading, saving, weights),
// fit.cc, inference.cc (predict, embed, evaluate) and gradcheck.cc.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "graph/model/model.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/saved/model_dir.h"
#include "runtime/text/vocabulary.h"
#include "runtime/train/trainer.h"

namespace twinflow::python {

namespace py = pybind11;

// What fit takes besides the data (the command line's train options, by the same names).
struct FitOptions {
  std::optional<int64_t> epochs, batch_size, seed;
  std::optional<double> lr;
  std::optional<std::string> optimizer;
  bool shuffle = true;
  std::string out;     // "" : nothing written
  std::string resume;  // a run directory to continue
  bool overwrite = false;
  std::string init;  // a weights file to start from
  bool init_partial = false;
  int64_t accumulate = 1;
  bool skip_bad_rows = false;
  int verbose = 1;  // 0 silent, 1 as the command line, 2 its --quiet
};

class Model {
 public:
  // `check`'s validation; throws SpecError with every diagnostic when the spec has errors.
  static Model from_yaml(const std::string& path, const std::string& dtype);
  static Model load(const std::string& dir);

  std::string summary() const;
  void save(const std::string& dir, bool overwrite) const;

  // train and val: a TSV path, a dict of columns (python/bindings/arrays.h), or None (the
  // spec's file). Returns the epochs' logs as log.jsonl holds them.
  py::list fit(const py::object& train, const py::object& val, const FitOptions& options,
               const py::object& callback);
  // Token ids [N, T] of texts for a text input (T its length), through the vocabulary.
  py::array encode(const std::vector<std::string>& texts, const std::string& input) const;
  py::object predict(const py::dict& inputs, std::optional<int64_t> batch_size);
  py::array embed(const std::vector<std::string>& texts, std::optional<int64_t> batch_size);
  py::dict evaluate(const py::object& data, std::optional<int64_t> batch_size, bool skip_bad_rows);
  py::dict gradcheck(int64_t batch, int64_t seqlen, int64_t vocab, int64_t probes, double tolerance,
                     uint64_t seed, bool training) const;

  py::dict weights() const;
  void set_weights(const py::dict& weights, bool partial);

  const graph::Model& graph_model() const { return model_; }
  const std::string& dtype() const { return dtype_; }
  const runtime::Vocabulary& vocabulary() const { return vocab_; }
  void set_vocabulary(runtime::Vocabulary vocab);
  const std::vector<std::string>& log() const { return log_; }

 private:
  template <typename T>
  using Store = std::unique_ptr<runtime::ParameterStore<T>>;
  using Params = std::variant<Store<float>, Store<double>>;

  Model(graph::Model model, std::string dtype);
  // The spec's train: section with fit's arguments applied, as the command line applies its.
  void apply_options(const FitOptions& fit);
  runtime::TrainData fit_data(const py::object& train, const py::object& val,
                              const FitOptions& fit);
  template <typename T>
  py::list fit_as(runtime::TrainData data, const runtime::TrainOptions& options,
                  const FitOptions& fit, const py::object& callback);
  template <typename T>
  void keep_trained(runtime::Trainer<T>& trainer, const std::string& out_dir,
                    std::vector<std::string> lines);
  template <typename T>
  runtime::ParameterStore<T>& store() {
    return *std::get<Store<T>>(params_);
  }
  // The vocabulary, or a ValueError saying that texts need one.
  const runtime::Vocabulary& text_vocabulary(const char* what) const;

  graph::Model model_;
  std::string dtype_;
  Params params_;
  runtime::Vocabulary vocab_;
  runtime::TrainState state_;
  std::vector<std::string> log_;  // log.jsonl's lines
  bool weights_set_ = false;      // by fit, set_weights or load: fit continues from them
};

}  // namespace twinflow::python
