// runtime/io/atomic_file.h — whole-file reads, and writes that a crash never leaves half done.
//
// write_file_atomically puts the bytes in a new temporary file beside the destination
// ("<path>.tmp.<pid>.<n>", same directory, so same file system and an atomic rename), flushes
// it to disk (fsync), renames it over the destination, then syncs the directory so that the
// rename itself survives a power cut. Readers see the old file or the new one, never a mix.
// On any failure the temporary file is removed, the destination is untouched, and a
// FileError names the path and the system's reason. (A process killed mid-write can leave a
// stray "*.tmp.*" file, never a damaged destination.)
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace twinflow::runtime {

// A file could not be read or written; the message names the path and the reason.
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void write_file_atomically(const std::string& path, std::span<const unsigned char> bytes);
void write_file_atomically(const std::string& path, std::string_view text);

// The whole content of a regular file.
std::vector<unsigned char> read_file_bytes(const std::string& path);

}  // namespace twinflow::runtime
