#include "python/bindings/arrays.h"

#include <fmt/format.h>

#include <limits>
#include <optional>
#include <utility>

namespace twinflow::python {

namespace {

std::string shape_text(const py::array& a) {
  std::vector<py::ssize_t> dims(a.shape(), a.shape() + a.ndim());
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

bool is_integer(const py::array& a) {
  const char kind = a.dtype().kind();
  return kind == 'i' || kind == 'u';
}

bool is_number(const py::array& a) {
  const char kind = a.dtype().kind();
  return kind == 'i' || kind == 'u' || kind == 'f' || kind == 'b';
}

// A NumPy array, or nothing for a value NumPy would make an object or string array of.
std::optional<py::array> as_array(const py::handle& value) {
  if (py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value)) return std::nullopt;
  py::array a = py::module_::import("numpy").attr("asarray")(value);
  if (a.dtype().kind() == 'O' || a.dtype().kind() == 'U' || a.dtype().kind() == 'S')
    return std::nullopt;
  return a;
}

template <typename I>
void copy_ids(const py::array& a, ops::IdTensor& ids, const std::string& input,
              const std::string& what) {
  const auto values = py::array_t<I, py::array::c_style | py::array::forcecast>::ensure(a);
  const I* data = values.data();
  for (size_t i = 0; i < ids.data.size(); ++i) {
    if (std::cmp_greater(data[i], std::numeric_limits<int32_t>::max()) ||
        std::cmp_less(data[i], std::numeric_limits<int32_t>::min()))
      throw ArgumentError(fmt::format("{}: input '{}' holds token id {}, beyond int32", what, input,
                                      static_cast<int64_t>(data[i])));
    ids.data[i] = static_cast<int32_t>(data[i]);
  }
}

}  // namespace

bool holds_texts(const py::handle& value) { return !as_array(value).has_value(); }

std::string describe(const py::handle& value) {
  if (py::isinstance<py::array>(value)) {
    const py::array a = py::reinterpret_borrow<py::array>(value);
    return fmt::format("{} {}", py::str(a.dtype()).cast<std::string>(), shape_text(a));
  }
  if (py::isinstance<py::str>(value)) return "a str";
  const std::string type = Py_TYPE(value.ptr())->tp_name;
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value))
    return fmt::format("{} of {} items", type, py::len(value));
  return type;
}

ops::IdTensor ids_from(const py::handle& value, const std::string& input, int64_t length,
                       const std::string& what) {
  const std::optional<py::array> a = as_array(value);
  if (!a || !is_integer(*a) || a->ndim() != 2 || a->shape(1) != length)
    throw ArgumentError(
        fmt::format("{}: input '{}' takes token ids [N, {}] (int32 or int64), "
                    "got {}",
                    what, input, length, describe(a ? *a : value)));
  ops::IdTensor ids(graph::Shape{a->shape(0), length});
  if (py::isinstance<py::array_t<int32_t>>(*a))
    copy_ids<int32_t>(*a, ids, input, what);
  else if (a->dtype().kind() == 'u')
    copy_ids<uint64_t>(*a, ids, input, what);
  else
    copy_ids<int64_t>(*a, ids, input, what);
  return ids;
}

std::vector<double> numbers_from(const py::handle& value, const std::string& input,
                                 const std::string& what) {
  const std::optional<py::array> a = as_array(value);
  if (!a || !is_number(*a) || a->ndim() < 1 || a->ndim() > 2 ||
      (a->ndim() == 2 && a->shape(1) != 1))
    throw ArgumentError(fmt::format("{}: input '{}' takes numbers [N] or [N, 1], got {}", what,
                                    input, describe(a ? *a : value)));
  const auto values = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(*a);
  return std::vector<double>(values.data(), values.data() + values.size());
}

std::vector<std::string> texts_from(const py::handle& value, const std::string& input,
                                    const std::string& what) {
  const auto refuse = [&] {
    return ArgumentError(
        fmt::format("{}: input '{}' takes a list of texts, got {}", what, input, describe(value)));
  };
  if (py::isinstance<py::str>(value)) throw refuse();
  py::object items = py::reinterpret_borrow<py::object>(value);
  if (py::isinstance<py::array>(value)) items = items.attr("tolist")();
  if (!py::isinstance<py::sequence>(items)) throw refuse();
  std::vector<std::string> texts;
  for (const py::handle item : items) {
    if (!py::isinstance<py::str>(item)) throw refuse();
    texts.push_back(item.cast<std::string>());
  }
  return texts;
}

std::vector<runtime::ArrayColumn> columns_from(const py::dict& columns,
                                               const graph::ModelSpec& spec,
                                               const std::string& what) {
  std::vector<runtime::ArrayColumn> out;
  for (const auto& [key, value] : columns) {
    const std::string name = py::str(key).cast<std::string>();
    const graph::InputSpec* in = nullptr;
    for (const graph::InputSpec& candidate : spec.inputs)
      if (candidate.name == name) in = &candidate;
    runtime::ArrayColumn& column = out.emplace_back();
    column.name = name;
    const bool texts = holds_texts(value);
    if (in == nullptr || in->dtype != graph::DType::kInt32)
      column.values = texts ? runtime::ColumnValues(texts_from(value, name, what))
                            : runtime::ColumnValues(numbers_from(value, name, what));
    else if (texts)
      column.values = texts_from(value, name, what);
    else
      column.values = ids_from(value, name, in->shape[0], what);
  }
  return out;
}

}  // namespace twinflow::python
