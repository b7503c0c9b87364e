// python/bindings/errors.h — the project's errors as Python exceptions, with the messages the
// command line prints after "error: ".
//
//   a spec with errors (SpecError)        twinflow.SpecError, a ValueError; its text is every
//                                         diagnostic with file:line:column, as `check` prints
//   TrainingStopped (the NaN/Inf guard)   RuntimeError
//   ModelDirError (a model directory      OSError
//     missing, damaged or of another spec)
//   FileError (a file not read, written)  OSError
//     and std::filesystem's errors
//   RuntimeInputError (bad data rows,     ValueError (a bad row's message ends with how
//     token ids, options), GraphError,      skip_bad_rows=True leaves such rows out)
//     ShapeError, SafetensorsError,
//     ArgumentError (python/bindings/arrays.h)
// Ctrl-C during fit raises KeyboardInterrupt (python/bindings/fit.cc); anything else
// RuntimeError, pybind11's default.
#pragma once

#include <pybind11/pybind11.h>

#include <stdexcept>

namespace twinflow::python {

class SpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void register_errors(pybind11::module_& m);

}  // namespace twinflow::python
