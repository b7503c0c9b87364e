// The module twinflow._core: the Model class and the errors. The package's pure-Python part
// (python/twinflow/) wraps Model with the documented signatures; the arguments here are already
// normalised by it (paths as str, labels merged into the data).
#include <pybind11/stl.h>

#include "ops/registry.h"
#include "python/bindings/errors.h"
#include "python/bindings/model.h"
#include "runtime/saved/model_roles.h"
#include "twinflow_version.h"

namespace twinflow::python {

namespace {

using namespace pybind11::literals;

py::list inputs_of(const Model& m) {
  py::list out;
  for (const graph::InputSpec& in : m.graph_model().spec.inputs)
    out.append(py::dict("name"_a = in.name, "shape"_a = py::tuple(py::cast(in.shape.dims())),
                        "dtype"_a = in.dtype == graph::DType::kInt32 ? "int32" : m.dtype()));
  return out;
}

// Each layer that owns parameters, with their names, and what it wraps (Bidirectional: LSTM):
// what the PyTorch converters (python/twinflow/torch_weights.py) map.
py::list layers_of(const Model& m) {
  const graph::Graph& g = *m.graph_model().graph;
  py::list out;
  for (const graph::Layer& layer : g.layers()) {
    if (layer.params.empty()) continue;
    py::list params;
    for (graph::ValueId p : layer.params) params.append(g.value(p).name);
    out.append(py::dict("name"_a = layer.name, "op"_a = layer.op->name, "params"_a = params));
  }
  return out;
}

// The input the loss compares with (a pair model's label), or None.
std::optional<std::string> target_of(const Model& m) {
  try {
    return runtime::model_roles(m.graph_model()).target;
  } catch (const graph::RuntimeInputError&) {
    return std::nullopt;  // a model of neither family: fit and evaluate will say why
  }
}

py::list fit(Model& m, const py::object& train, const py::object& val, const py::object& callback,
             std::optional<int64_t> epochs, std::optional<int64_t> batch_size,
             std::optional<double> lr, std::optional<std::string> optimizer,
             std::optional<int64_t> seed, bool shuffle, std::string out, std::string resume,
             bool overwrite, std::string init, bool init_partial, int64_t accumulate,
             bool skip_bad_rows, int verbose) {
  FitOptions o{.epochs = epochs,
               .batch_size = batch_size,
               .seed = seed,
               .lr = lr,
               .optimizer = std::move(optimizer),
               .shuffle = shuffle,
               .out = std::move(out),
               .resume = std::move(resume),
               .overwrite = overwrite,
               .init = std::move(init),
               .init_partial = init_partial,
               .accumulate = accumulate,
               .skip_bad_rows = skip_bad_rows,
               .verbose = verbose};
  return m.fit(train, val, o, callback);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "twinflow's compiled core; use the package twinflow";
  m.attr("__version__") = TWINFLOW_VERSION;
  m.attr("commit") = TWINFLOW_GIT_COMMIT;
  ops::register_builtin_ops();
  register_errors(m);
  py::class_<Model>(m, "Model")
      .def_static("from_yaml", &Model::from_yaml, "path"_a, "dtype"_a)
      .def_static("load", &Model::load, "dir"_a)
      .def("summary", &Model::summary)
      .def("save", &Model::save, "dir"_a, "overwrite"_a)
      .def("fit", &fit, "train"_a, "val"_a, "callback"_a, "epochs"_a, "batch_size"_a, "lr"_a,
           "optimizer"_a, "seed"_a, "shuffle"_a, "out"_a, "resume"_a, "overwrite"_a, "init"_a,
           "init_partial"_a, "accumulate"_a, "skip_bad_rows"_a, "verbose"_a)
      .def("encode", &Model::encode, "texts"_a, "input"_a)
      .def("predict", &Model::predict, "inputs"_a, "batch_size"_a)
      .def("embed", &Model::embed, "texts"_a, "batch_size"_a)
      .def("evaluate", &Model::evaluate, "data"_a, "batch_size"_a, "skip_bad_rows"_a)
      .def("gradcheck", &Model::gradcheck, "batch"_a, "seqlen"_a, "vocab"_a, "probes"_a,
           "tolerance"_a, "seed"_a, "training"_a)
      .def("weights", &Model::weights)
      .def("set_weights", &Model::set_weights, "weights"_a, "partial"_a)
      .def("read_vocabulary",
           [](Model& self, const std::string& path) {
             self.set_vocabulary(runtime::Vocabulary::read(path));
           })
      .def_property(
          "vocabulary", [](const Model& self) { return self.vocabulary().tokens(); },
          [](Model& self, std::vector<std::string> tokens) {
            self.set_vocabulary(runtime::Vocabulary(std::move(tokens)));
          })
      .def_property_readonly("name", [](const Model& self) { return self.graph_model().spec.name; })
      .def_property_readonly("dtype", &Model::dtype)
      .def_property_readonly("inputs", &inputs_of)
      .def_property_readonly("outputs",
                             [](const Model& self) {
                               std::vector<std::string> names;
                               for (graph::ValueId v : self.graph_model().outputs)
                                 names.push_back(self.graph_model().graph->value(v).name);
                               return names;
                             })
      .def_property_readonly("target", &target_of)
      .def_property_readonly("layers", &layers_of)
      .def_property_readonly("log", &Model::log);
}

}  // namespace twinflow::python
