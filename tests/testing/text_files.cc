#include "tests/testing/text_files.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "tests/cli/run_cli.h"

namespace twinflow::testing {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string head_of(const std::string& source_file, int rows) {
  std::ifstream in(source_path(source_file));
  std::string line, out;
  for (int i = 0; i <= rows && std::getline(in, line); ++i) out += line + "\n";
  return out;
}

double value_after(const std::string& text, const std::string& key) {
  const size_t at = text.find(key + " ");
  REQUIRE_MESSAGE(at != std::string::npos, key << " not in:\n" << text);
  return std::stod(text.substr(at + key.size() + 1));
}

void replace_once(std::string& text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  text.replace(at, from.size(), to);
}

}  // namespace twinflow::testing
