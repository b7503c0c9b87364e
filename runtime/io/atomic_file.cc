#include "runtime/io/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <utility>

namespace twinflow::runtime {

namespace {

std::string reason() { return std::strerror(errno); }

// Closes on scope exit, so every error path releases the descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports whether the close succeeded (it can report a deferred write error).
  bool close() { return ::close(std::exchange(fd_, -1)) == 0; }

 private:
  int fd_;
};

// A new, empty file beside `path` that no other writer can be using (O_EXCL).
std::pair<std::string, int> create_temporary(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = fmt::format("{}.tmp.{}.{}", path, ::getpid(), counter++);
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return {std::move(name), fd};
    if (errno != EEXIST)
      throw FileError(
          fmt::format("{}: cannot create a temporary file beside it: {}", path, reason()));
  }
  throw FileError(fmt::format("{}: cannot find a free temporary file name beside it", path));
}

void write_all(int fd, std::span<const unsigned char> bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FileError(fmt::format("{}: write failed: {}", path, reason()));
    done += static_cast<size_t>(n);
  }
}

void sync_directory_of(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  sync_directory(dir.empty() ? "." : dir);
}

// A free name beside `path` for a link, made by the caller.
std::string temporary_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return fmt::format("{}.link.{}.{}", path, ::getpid(), counter++);
}

}  // namespace

// Best effort: some file systems cannot sync a directory, and the data is already safe.
void sync_directory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

void link_file_atomically(const std::string& existing, const std::string& path) {
  const std::string temporary = temporary_name(path);
  if (::link(existing.c_str(), temporary.c_str()) != 0) {
    // EXDEV (another file system), EPERM or ENOTSUP (no hard links there): copy the bytes.
    if (errno != EXDEV && errno != EPERM && errno != ENOTSUP && errno != EMLINK)
      throw FileError(fmt::format("{}: cannot link it to {}: {}", path, existing, reason()));
    return write_file_atomically(path, read_file_bytes(existing));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = reason();
    ::unlink(temporary.c_str());
    throw FileError(fmt::format("{}: cannot replace it: {}", path, why));
  }
  // When path already was a name of the same file, rename does nothing and leaves the
  // temporary name (POSIX); otherwise the name is gone and this fails harmlessly.
  ::unlink(temporary.c_str());
  sync_directory_of(path);
}

void remove_stray_temporaries(const std::string& dir) {
  const std::string own = fmt::format(".{}.", ::getpid());
  std::error_code error;
  for (const std::filesystem::directory_entry& entry :
       std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    for (const char* kind : {".tmp.", ".link."}) {
      const size_t at = name.rfind(kind);
      if (at == std::string::npos || at == 0) continue;
      const std::string rest = name.substr(at + std::string_view(kind).size() - 1);  // ".pid.n"
      const bool numbered = rest.find_first_not_of(".0123456789") == std::string::npos &&
                            std::count(rest.begin(), rest.end(), '.') == 2;
      if (numbered && rest.rfind(own, 0) != 0) std::filesystem::remove(entry.path(), error);
    }
  }
}

void write_file_atomically(const std::string& path, std::span<const unsigned char> bytes) {
  auto [temporary, raw_fd] = create_temporary(path);
  Fd fd(raw_fd);
  try {
    write_all(fd.get(), bytes, path);
    if (::fsync(fd.get()) != 0)
      throw FileError(fmt::format("{}: flushing to disk failed: {}", path, reason()));
    if (!fd.close()) throw FileError(fmt::format("{}: closing failed: {}", path, reason()));
    if (::rename(temporary.c_str(), path.c_str()) != 0)
      throw FileError(fmt::format("{}: cannot replace it: {}", path, reason()));
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  sync_directory_of(path);
}

void write_file_atomically(const std::string& path, std::string_view text) {
  write_file_atomically(
      path, std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
}

std::vector<unsigned char> read_file_bytes(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw FileError(fmt::format("{}: cannot open: {}", path, reason()));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0)
    throw FileError(fmt::format("{}: cannot read its size: {}", path, reason()));
  if (!S_ISREG(info.st_mode)) throw FileError(fmt::format("{}: not a regular file", path));
  std::vector<unsigned char> bytes(static_cast<size_t>(info.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FileError(fmt::format("{}: read failed: {}", path, reason()));
    if (n == 0) break;  // the file shrank while being read: what was read is what there is
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

}  // namespace twinflow::runtime
