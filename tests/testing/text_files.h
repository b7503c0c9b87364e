// tests/testing/text_files.h — reading files and picking numbers out of printed text, for the
// tests that run the command line on slices of the demo data.
#pragma once

#include <string>
#include <string_view>

namespace twinflow::testing {

// The whole file, byte for byte ("" when it cannot be read).
std::string read_all(const std::string& path);

// The header and the first `rows` rows of a file of the source tree ("data/pairs_train.tsv").
std::string head_of(const std::string& source_file, int rows);

// The number printed after "key " in text; fails the test when the key is absent.
double value_after(const std::string& text, const std::string& key);

// Replaces the first occurrence of `from`; fails the test when there is none.
void replace_once(std::string& text, std::string_view from, std::string_view to);

}  // namespace twinflow::testing
