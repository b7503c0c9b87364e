// runtime/text/line_reader.h — the lines of a user's text file, numbered as editors number them.
//
// Every reader of user files goes through this, so they agree on the small things: lines end
// with "\n" or "\r\n" (a file written on Windows reads the same), the last line may lack its
// newline, a UTF-8 byte order mark before the first line is dropped, and line numbers start
// at 1. Files are read in streaming fashion, so multi-gigabyte vector files need no memory
// beyond one line.
#pragma once

#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <string>

namespace twinflow::runtime {

class LineReader {
 public:
  // Opens path; throws DataError("path: cannot open ...") when it cannot.
  explicit LineReader(const std::string& path);
  // Reads from a stream (content held in memory); `file` names it in messages.
  LineReader(std::istream& in, std::string file);

  // The next line without its ending; false at the end of the file.
  bool next(std::string& line);
  int64_t line_number() const { return line_number_; }  // of the line last returned
  const std::string& file() const { return file_; }

 private:
  std::unique_ptr<std::ifstream> owned_;
  std::istream* in_;
  std::string file_;
  int64_t line_number_ = 0;
};

}  // namespace twinflow::runtime
