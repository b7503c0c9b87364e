// runtime/io/sha256.h — SHA-256 (FIPS 180-4) of bytes and of files, as lower-case hex: what a
// run directory records of the data it was trained on (`sha256sum` prints the same digest).
#pragma once

#include <string>
#include <string_view>

namespace twinflow::runtime {

std::string sha256_hex(std::string_view bytes);

// Reads the file in blocks. Throws std::runtime_error naming the file when it cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace twinflow::runtime
