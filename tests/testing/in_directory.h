// tests/testing/in_directory.h — runs a test's commands in another working directory for the
// scope's length, so the paths they print and the files they write are relative to it.
#pragma once

#include <filesystem>

namespace twinflow::testing {

class InDirectory {
 public:
  explicit InDirectory(const std::filesystem::path& dir)
      : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~InDirectory() { std::filesystem::current_path(previous_); }
  InDirectory(const InDirectory&) = delete;
  InDirectory& operator=(const InDirectory&) = delete;

 private:
  std::filesystem::path previous_;
};

}  // namespace twinflow::testing
