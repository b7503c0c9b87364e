// runtime/text/data_error.h — an error in a user's data file, at a line.
//
// Every reader of user files (TSV data, vocabularies, pretrained vectors) throws this, so a
// message always starts with "file:line: " the way compilers print, which editors and
// terminals turn into a link. The parts stay available: --skip-bad-rows collects the detail
// of skipped rows, and tests check the line.
#pragma once

#include <cstdint>
#include <string>

#include "graph/ir/errors.h"

namespace twinflow::runtime {

class DataError : public graph::RuntimeInputError {
 public:
  // line 0: the error concerns the whole file ("file: empty file").
  DataError(std::string file, int64_t line, std::string detail)
      : graph::RuntimeInputError(prefix(file, line) + detail),
        file_(std::move(file)),
        line_(line),
        detail_(std::move(detail)) {}

  const std::string& file() const { return file_; }
  int64_t line() const { return line_; }
  const std::string& detail() const { return detail_; }

 private:
  static std::string prefix(const std::string& file, int64_t line) {
    return line > 0 ? file + ":" + std::to_string(line) + ": " : file + ": ";
  }
  std::string file_;
  int64_t line_;
  std::string detail_;
};

}  // namespace twinflow::runtime
