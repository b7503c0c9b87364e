// python/bindings/arrays.h — NumPy arrays and Python lists in, NumPy arrays out.
//
// In: token ids [N, T] of any integer dtype (int32 is read in place, others converted, values
// beyond int32 refused); numbers [N] or [N, 1] for labels and real inputs; texts as a list, a
// tuple or a NumPy array of str. A value of the wrong kind, dtype or shape is a ValueError
// naming the input, what it takes and what it got:
//   predict: input 'left' takes token ids [N, 30] (int32 or int64), got float64 [4, 30]
// Out: a new array of the model's dtype, filled once from the executor's buffers.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "graph/spec/spec.h"
#include "ops/tensor.h"
#include "runtime/data/array_dataset.h"

namespace twinflow::python {

namespace py = pybind11;

// A user's mistake in the arguments; the module raises it as ValueError.
class ArgumentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "float64 [4, 30]", "list of 3 items".
std::string describe(const py::handle& value);

// Whether the value holds texts (str items, or a str) rather than numbers.
bool holds_texts(const py::handle& value);

ops::IdTensor ids_from(const py::handle& value, const std::string& input, int64_t length,
                       const std::string& what);
std::vector<double> numbers_from(const py::handle& value, const std::string& input,
                                 const std::string& what);
// Throws ArgumentError unless value is a sequence of str (a single str included).
std::vector<std::string> texts_from(const py::handle& value, const std::string& input,
                                    const std::string& what);

// The columns of a dict {input name: values}, each read as the spec's input of that name takes
// it (a text input: texts or ids); a name the spec lacks is read by its value's type, for
// runtime::dataset_from_arrays to refuse with a "did you mean".
std::vector<runtime::ArrayColumn> columns_from(const py::dict& columns,
                                               const graph::ModelSpec& spec,
                                               const std::string& what);

// A C-ordered array of the given shape whose data the caller fills.
template <typename T>
py::array_t<T> new_array(const std::vector<int64_t>& shape) {
  return py::array_t<T>(std::vector<py::ssize_t>(shape.begin(), shape.end()));
}

}  // namespace twinflow::python
