#include "runtime/text/line_reader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "runtime/text/data_error.h"

namespace twinflow::runtime {

LineReader::LineReader(const std::string& path)
    : owned_(std::make_unique<std::ifstream>(path, std::ios::binary)),
      in_(owned_.get()),
      file_(path) {
  if (!*owned_) throw DataError(path, 0, std::string("cannot open: ") + std::strerror(errno));
  // Linux opens a directory for reading; the failure would only show as an empty file.
  if (std::filesystem::is_directory(path)) throw DataError(path, 0, "is a directory, not a file");
}

LineReader::LineReader(std::istream& in, std::string file) : in_(&in), file_(std::move(file)) {}

bool LineReader::next(std::string& line) {
  if (!std::getline(*in_, line)) {
    if (in_->bad()) throw DataError(file_, line_number_ + 1, "read error");
    return false;
  }
  ++line_number_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line_number_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  return true;
}

}  // namespace twinflow::runtime
