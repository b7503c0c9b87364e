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

// Makes `path` a second name of the existing file (a hard link: no bytes are copied), or a
// copy of it where the file system has no hard links or they would cross file systems; then
// renames it into place as write_file_atomically does. Throws FileError.
void link_file_atomically(const std::string& existing, const std::string& path);

// Removes from dir the temporary files other processes left when they were killed mid-write
// ("<name>.tmp.<pid>.<n>", "<name>.link.<pid>.<n>"). Only for a directory one process writes.
void remove_stray_temporaries(const std::string& dir);

// Flushes a directory's entries to disk (best effort: some file systems cannot), so that the
// files made or renamed in it survive a power cut.
void sync_directory(const std::string& dir);

// The whole content of a regular file.
std::vector<unsigned char> read_file_bytes(const std::string& path);

}  // namespace twinflow::runtime
