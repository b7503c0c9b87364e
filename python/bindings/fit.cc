// Training from Python (python/bindings/model.h): the command line's trainer, progress bar and
// epoch lines, with the data given as files or as arrays.
//
// The trainer runs with the GIL released, so other Python threads go on while it computes; each
// observer call takes the GIL back. Ctrl-C: while C++ runs, Python's handler only sets a flag.
// stop_requested, asked after every step, runs the handlers (PyErr_CheckSignals); when one
// raised KeyboardInterrupt, the trainer saves that step into the out directory (if there is
// one) and throws TrainingInterrupted, and fit raises KeyboardInterrupt with its message. An
// exception from the epoch callback stops training the same way, after the epoch's checkpoint,
// and is raised again. Either way the model keeps the weights of the last step made.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "graph/spec/fields.h"
#include "python/bindings/arrays.h"
#include "python/bindings/model.h"
#include "python/bindings/python_stream.h"
#include "runtime/data/input_columns.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/saved/run_dir.h"
#include "tools/cli/progress.h"

namespace twinflow::python {

namespace {

std::optional<std::string> path_of(const py::object& data) {
  if (!py::isinstance<py::str>(data) && !py::hasattr(data, "__fspath__")) return std::nullopt;
  const std::string path = py::module_::import("os").attr("fspath")(data).cast<std::string>();
  return std::filesystem::absolute(path).lexically_normal().string();
}

// A file (whose path the spec then records, as train --data does) or a dict of arrays.
runtime::Dataset read_data(const py::object& data, const graph::ModelSpec& spec,
                           std::string& spec_path, const FitOptions& fit, const char* role) {
  const std::vector<runtime::ColumnSpec> columns = runtime::input_columns(spec);
  if (const std::optional<std::string> path = path_of(data)) {
    spec_path = *path;
    py::gil_scoped_release release;
    return runtime::read_tsv(*path, columns, {.skip_bad_rows = fit.skip_bad_rows});
  }
  if (!py::isinstance<py::dict>(data))
    throw ArgumentError(fmt::format("fit: {} must be a TSV file or a dict of arrays, got {}", role,
                                    describe(data)));
  spec_path.clear();
  const std::string what = fmt::format("fit {}", role);
  return runtime::dataset_from_arrays(
      columns, columns_from(py::reinterpret_borrow<py::dict>(data), spec, what), what);
}

template <typename T>
void copy_weights(const runtime::ParameterStore<T>& from, runtime::ParameterStore<T>& to) {
  for (size_t i = 0; i < from.all().size(); ++i)
    std::copy(from.all()[i].data.data.begin(), from.all()[i].data.data.end(),
              to.all()[i].data.data.begin());
}

}  // namespace

// Checked as the command line checks its options, before anything changes.
void Model::apply_options(const FitOptions& fit) {
  const auto positive = [](const char* name, std::optional<int64_t> v) {
    if (v && *v < 1)
      throw ArgumentError(fmt::format("fit: {} must be at least 1, not {}", name, *v));
  };
  positive("epochs", fit.epochs);
  positive("batch_size", fit.batch_size);
  positive("accumulate", fit.accumulate);
  if (fit.seed && *fit.seed < 0)
    throw ArgumentError(fmt::format("fit: seed must not be negative, not {}", *fit.seed));
  if (fit.lr && !(*fit.lr > 0))
    throw ArgumentError(fmt::format("fit: lr must be above 0, not {}", *fit.lr));
  const std::vector<std::string> optimizers(graph::kOptimizers.begin(), graph::kOptimizers.end());
  if (fit.optimizer &&
      std::find(optimizers.begin(), optimizers.end(), *fit.optimizer) == optimizers.end())
    throw ArgumentError(fmt::format("fit: optimizer must be one of {}, not '{}'",
                                    fmt::join(optimizers, ", "), *fit.optimizer));
  graph::TrainSpec& t = model_.spec.train;
  if (fit.epochs) t.epochs = *fit.epochs;
  if (fit.batch_size) t.batch_size = *fit.batch_size;
  if (fit.seed) t.seed = *fit.seed;
  if (!fit.shuffle) t.shuffle = false;
  if (fit.optimizer && *fit.optimizer != t.optimizer.name)
    t.optimizer = graph::default_optimizer(*fit.optimizer);
  if (fit.lr) t.optimizer.lr = *fit.lr;
}

// train None reads the spec's data file; val None the spec's validation file when the training
// data are a file (as the command line does), none for arrays; val False none at all.
runtime::TrainData Model::fit_data(const py::object& train, const py::object& val,
                                   const FitOptions& fit) {
  graph::TrainSpec& t = model_.spec.train;
  runtime::TrainData data;
  if (train.is_none() && t.data.empty())
    throw ArgumentError(
        "fit: no training data: give a TSV file or a dict of arrays, or train: {data: FILE} in "
        "the spec");
  const bool from_file = train.is_none() || path_of(train).has_value();
  const py::object file_or_arrays = train.is_none() ? py::str(t.data) : train;
  data.train = read_data(file_or_arrays, model_.spec, t.data, fit, "data");
  if (py::isinstance<py::bool_>(val) && !val.cast<bool>())
    t.val.clear();
  else if (!val.is_none())
    data.val = read_data(val, model_.spec, t.val, fit, "val");
  else if (!from_file)
    t.val.clear();
  else if (!t.val.empty())
    data.val = read_data(py::str(t.val), model_.spec, t.val, fit, "val");
  if (!vocab_.tokens().empty() && fit.resume.empty()) data.vocab = vocab_;
  return data;
}

py::list Model::fit(const py::object& train, const py::object& val, const FitOptions& fit,
                    const py::object& callback) {
  if (fit.verbose < 0 || fit.verbose > 2)
    throw ArgumentError(fmt::format("fit: verbose must be 0, 1 or 2, not {}", fit.verbose));
  apply_options(fit);
  runtime::TrainOptions options;
  options.init_weights = fit.init;
  options.init_partial = fit.init_partial;
  options.resume_dir = fit.resume;
  options.accumulate = fit.accumulate;
  options.skip_bad_rows = fit.skip_bad_rows;
  // Checked before any data is read, as train checks --out and --resume.
  if (!fit.resume.empty()) runtime::require_same_spec(fit.resume, model_);
  options.out_dir = fit.out.empty() ? fit.resume : fit.out;
  if (!options.out_dir.empty() && options.out_dir != fit.resume)
    runtime::prepare_out_dir(options.out_dir, model_, fit.overwrite);
  runtime::TrainData data = fit_data(train, val, fit);
  if (dtype_ == "float64") return fit_as<double>(std::move(data), options, fit, callback);
  return fit_as<float>(std::move(data), options, fit, callback);
}

template <typename T>
py::list Model::fit_as(runtime::TrainData data, const runtime::TrainOptions& options,
                       const FitOptions& fit, const py::object& callback) {
  PythonStream out("stdout"), err("stderr");
  cli::ProgressBar bar(err, err.is_terminal());
  const bool notes = fit.verbose == 1;
  const int64_t epochs = model_.spec.train.epochs;
  const py::object json_loads = py::module_::import("json").attr("loads");
  py::list history;
  std::vector<std::string> lines;             // log.jsonl's of this run
  std::optional<py::error_already_set> stop;  // KeyboardInterrupt, or the callback's exception
  runtime::TrainObserver observer;
  observer.warning = [&err](const std::string& s) { err << "warning: " << s << std::endl; };
  if (notes) {
    observer.info = [&out](const std::string& s) { out << s << std::endl; };
    observer.epoch_start = [&bar](int64_t e, int64_t n, int64_t b) { bar.start_epoch(e, n, b); };
    observer.batch_done = [&bar](int64_t k, int64_t samples, const runtime::Metrics& m) {
      bar.update(k, samples, m);
    };
  }
  observer.epoch_end = [&](const runtime::EpochLog& log) {
    if (notes) bar.finish_epoch();
    if (fit.verbose > 0) out << cli::epoch_line(log, epochs) << std::flush;
    lines.push_back(runtime::to_json_line(log));
    py::gil_scoped_acquire gil;
    const py::object entry = json_loads(lines.back());
    history.append(entry);
    if (stop || callback.is_none()) return;
    try {
      callback(entry);
    } catch (py::error_already_set& e) {
      stop = std::move(e);
    }
  };
  observer.stop_requested = [&stop] {
    py::gil_scoped_acquire gil;
    if (!stop && PyErr_CheckSignals() != 0) stop.emplace();  // takes the error just raised
    return stop.has_value();
  };

  std::optional<runtime::Trainer<T>> trainer;
  std::optional<runtime::TrainingInterrupted> interrupted;
  runtime::TrainSummary summary;
  {
    py::gil_scoped_release release;
    trainer.emplace(model_, std::move(data), options, observer);
    if (weights_set_ && options.resume_dir.empty() && options.init_weights.empty())
      copy_weights(store<T>(), trainer->params());
    if (notes)
      out << fmt::format("model {}: {} trainable parameters, {}, {} epochs of batches of {}",
                         model_.spec.name, trainer->params().count(true), dtype_, epochs,
                         model_.spec.train.batch_size)
          << std::endl;
    try {
      summary = trainer->fit();
    } catch (const runtime::TrainingInterrupted& e) {
      interrupted = e;
    }
  }
  keep_trained(*trainer, options.out_dir, std::move(lines));
  if (interrupted) {
    if (notes) bar.finish_epoch();
    if (stop && !stop->matches(PyExc_KeyboardInterrupt)) throw *stop;
    err << interrupted->what() << "\n";
    if (!interrupted->saved.empty())
      err << fmt::format("continue with: model.fit(..., resume='{}')\n", interrupted->saved);
    err.flush();
    PyErr_SetString(PyExc_KeyboardInterrupt, interrupted->what());
    throw py::error_already_set();
  }
  if (stop) throw *stop;  // from the last epoch's callback: nothing was left to stop
  if (notes && summary.best_epoch > 0)
    out << runtime::best_epoch_line(trainer->state(), trainer->keeps_best()) << "\n";
  if (notes && !options.out_dir.empty()) out << fmt::format("saved to {}\n", options.out_dir);
  return history;
}

// The model takes what the run reached: weights (the best epoch's with validation data), the
// vocabulary, the state, and the log as its directory holds it (previous epochs of a resumed
// run included) or as this run made it.
template <typename T>
void Model::keep_trained(runtime::Trainer<T>& trainer, const std::string& out_dir,
                         std::vector<std::string> lines) {
  copy_weights(trainer.params(), store<T>());
  vocab_ = trainer.vocab();
  state_ = trainer.state();
  weights_set_ = true;
  const bool saved = !out_dir.empty() && std::filesystem::is_directory(out_dir);
  log_ = saved ? runtime::read_log(out_dir) : std::move(lines);
}

}  // namespace twinflow::python
