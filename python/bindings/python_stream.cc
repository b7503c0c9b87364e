#include "python/bindings/python_stream.h"

namespace twinflow::python {

PythonStream::PythonStream(const char* name) : std::ostream(&buffer_), name_(name), buffer_(name) {}

PythonStream::~PythonStream() { flush(); }

bool PythonStream::is_terminal() const {
  py::gil_scoped_acquire gil;
  try {
    return py::module_::import("sys").attr(name_).attr("isatty")().cast<bool>();
  } catch (const py::error_already_set&) {
    return false;  // a stream replaced by an object without isatty()
  }
}

PythonStream::Buffer::int_type PythonStream::Buffer::overflow(int_type c) {
  if (c != traits_type::eof()) pending_ += traits_type::to_char_type(c);
  return traits_type::not_eof(c);
}

std::streamsize PythonStream::Buffer::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<size_t>(n));
  return n;
}

int PythonStream::Buffer::sync() {
  if (pending_.empty()) return 0;
  py::gil_scoped_acquire gil;
  try {
    const py::object stream = py::module_::import("sys").attr(name_);
    stream.attr("write")(py::str(pending_));
    stream.attr("flush")();
  } catch (const py::error_already_set&) {
    // A closed or replaced stream loses this text; training goes on regardless.
  }
  pending_.clear();
  return 0;
}

}  // namespace twinflow::python
