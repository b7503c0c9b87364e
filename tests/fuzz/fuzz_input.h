// tests/fuzz/fuzz_input.h — what the libFuzzer targets of tests/fuzz/ share: one fuzz input cut
// into the several files a reader takes, and a scratch directory of this process to write them
// in (for the readers that only read paths).
//
// A multi-file input is its parts joined by kPartSeparator, a line of its own:
//   <part 0>\n--8<-- twinflow part --8<--\n<part 1>\n--8<-- twinflow part --8<--\n<part 2>
// A part may be empty (an empty file); a part the input lacks is a file that is not there.
// tests/fuzz/make_corpus.py packs the seed corpus the same way.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace twinflow::fuzz {

inline constexpr std::string_view kPartSeparator = "\n--8<-- twinflow part --8<--\n";

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A reader's error for a bad input: expected, and silent unless TWINFLOW_FUZZ_SHOW_ERRORS is set
// in the environment, which shows what a replayed input (`build-fuzz/fuzz_tsv FILE`) was refused
// for.
inline void rejected(const char* what) {
  static const bool show = std::getenv("TWINFLOW_FUZZ_SHOW_ERRORS") != nullptr;
  if (show) std::fprintf(stderr, "rejected: %s\n", what);
}
inline void rejected(const std::exception& e) { rejected(e.what()); }

// The parts in order; an input without a separator is one part.
inline std::vector<std::string_view> split_parts(std::string_view input) {
  std::vector<std::string_view> parts;
  for (size_t begin = 0;;) {
    const size_t at = input.find(kPartSeparator, begin);
    if (at == std::string_view::npos) {
      parts.push_back(input.substr(begin));
      return parts;
    }
    parts.push_back(input.substr(begin, at - begin));
    begin = at + kPartSeparator.size();
  }
}

// A directory only this process uses, in memory (/dev/shm) where there is one, removed when
// the process ends normally. A crashing input leaves it behind, with the files that crashed.
class ScratchDir {
 public:
  ScratchDir() {
    const std::filesystem::path shm = "/dev/shm";
    const std::filesystem::path base =
        std::filesystem::is_directory(shm) ? shm : std::filesystem::temp_directory_path();
    path_ = base / ("twinflow-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  // Writes name with content, or removes it when there is no content to write.
  void put(const std::string& name, const std::string_view* content) const {
    const std::string target = file(name);
    if (content == nullptr) {
      std::filesystem::remove(target);
      return;
    }
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(content->data(), static_cast<std::streamsize>(content->size()));
    if (!out) std::abort();  // the scratch space is full: no finding can be trusted
  }

 private:
  std::filesystem::path path_;
};

}  // namespace twinflow::fuzz
