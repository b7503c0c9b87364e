// SHA-256 against the FIPS 180-4 examples and the one-million-'a' vector, and a file read in
// blocks against the same bytes in memory.
#include "runtime/io/sha256.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/runtime/temp_dir.h"

namespace twinflow::runtime {

TEST_SUITE("runtime.sha256") {
  TEST_CASE("the standard test vectors") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // 56 bytes: the length no longer fits the first block.
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }

  TEST_CASE("a file is hashed as its bytes; a missing one is an error naming it") {
    testing::TempDir tmp;
    std::string bytes;
    for (int i = 0; i < 200000; ++i) bytes += static_cast<char>(i * 7 % 256);  // > one block
    const std::string file = tmp.write("data.bin", bytes);
    CHECK(sha256_file_hex(file) == sha256_hex(bytes));
    CHECK_THROWS_WITH(sha256_file_hex(tmp.path("missing")),
                      doctest::Contains("missing: cannot be read"));
  }
}

}  // namespace twinflow::runtime
