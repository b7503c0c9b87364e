#include "python/bindings/errors.h"

#include <exception>
#include <filesystem>
#include <string>

#include "graph/ir/errors.h"
#include "python/bindings/arrays.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/io/atomic_file.h"
#include "runtime/io/safetensors.h"
#include "runtime/saved/model_dir.h"
#include "runtime/train/trainer.h"

namespace twinflow::python {

namespace {

// An error not listed here leaves by the rethrow, on to pybind11's own translators.
void translate(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const runtime::TrainingStopped& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (const runtime::ModelDirError& e) {
    PyErr_SetString(PyExc_OSError, e.what());
  } catch (const runtime::BadRowError& e) {
    const std::string text =
        std::string(e.what()) + "\n(skip_bad_rows=True leaves such rows out and counts them)";
    PyErr_SetString(PyExc_ValueError, text.c_str());
  } catch (const graph::RuntimeInputError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const runtime::FileError& e) {
    PyErr_SetString(PyExc_OSError, e.what());
  } catch (const runtime::SafetensorsError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const graph::GraphError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const graph::ShapeError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const ArgumentError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    PyErr_SetString(PyExc_OSError, e.what());
  }
}

}  // namespace

void register_errors(pybind11::module_& m) {
  pybind11::register_exception<SpecError>(m, "SpecError", PyExc_ValueError);
  pybind11::register_exception_translator(translate);
}

}  // namespace twinflow::python
