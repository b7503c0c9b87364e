// python/bindings/python_stream.h — a std::ostream that writes to Python's sys.stdout or
// sys.stderr, so that the command line's progress bar and epoch lines appear where Python's own
// output goes: in a notebook's cell rather than in the terminal that started the kernel.
//
// Text is handed to Python at each flush (std::flush, std::endl) and when the stream is
// destroyed, taking the GIL for it: training writes while the GIL is released.
#pragma once

#include <pybind11/pybind11.h>

#include <ostream>
#include <streambuf>
#include <string>

namespace twinflow::python {

namespace py = pybind11;

class PythonStream : public std::ostream {
 public:
  // name: "stdout" or "stderr", looked up in sys at every flush (pytest and notebooks swap it).
  explicit PythonStream(const char* name);
  ~PythonStream() override;
  PythonStream(const PythonStream&) = delete;
  PythonStream& operator=(const PythonStream&) = delete;

  // Whether the stream is a terminal (sys.stdout.isatty()): the progress bar then redraws one
  // line in place, as the command line's does.
  bool is_terminal() const;

 private:
  class Buffer : public std::streambuf {
   public:
    explicit Buffer(const char* name) : name_(name) {}

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

   private:
    const char* name_;
    std::string pending_;
  };
  const char* name_;
  Buffer buffer_;
};

}  // namespace twinflow::python
