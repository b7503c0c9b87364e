// safetensors files: the exact layout, round trips, every kind of damage, and atomic writes.
#include "runtime/io/safetensors.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "runtime/io/atomic_file.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;
using testing::TempDir;
using namespace std::string_literals;

std::vector<unsigned char> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

// A file with this header text (unpadded) followed by `data_bytes` zero bytes.
std::vector<unsigned char> crafted(std::string_view header, size_t data_bytes) {
  std::vector<unsigned char> out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<unsigned char>(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + data_bytes, 0);
  return out;
}

std::string error_of(const std::vector<unsigned char>& file) {
  try {
    parse_safetensors(file, "w.safetensors");
  } catch (const SafetensorsError& e) {
    return e.what();
  }
  return "(no error)";
}

SafetensorsContent sample() {
  SafetensorsContent c;
  c.tensors["b.f64"] =
      to_stored(std::span<const double>(std::vector<double>{0.1, -2.5, 1e300}), Shape{3, 1});
  c.tensors["a.f32"] =
      to_stored(std::span<const float>(std::vector<float>{1.5f, -0.0f, 3.25f, 7.0f}), Shape{2, 2});
  c.tensors["c.i32"] =
      to_stored(std::span<const int32_t>(std::vector<int32_t>{-7, 0, 1 << 30}), Shape{3});
  c.tensors["d.i64"] =
      to_stored(std::span<const int64_t>(std::vector<int64_t>{int64_t{1} << 40}), Shape{});
  c.tensors["e.empty"] = to_stored(std::span<const float>(), Shape{0, 3});
  c.metadata["format"] = "pt";
  c.metadata["note"] = "héllo";
  return c;
}

TEST_SUITE("runtime.safetensors") {
  TEST_CASE("the layout: length, a space-padded JSON header, then the data in name order") {
    SafetensorsContent c;
    c.tensors["x"] = to_stored(std::span<const float>(std::vector<float>{1.0f, 2.0f}), Shape{2});
    const std::vector<unsigned char> file = serialize_safetensors(c);
    // 54 header characters + 2 spaces = 56, a multiple of 8
    const std::string header = R"({"x":{"data_offsets":[0,8],"dtype":"F32","shape":[2]}}  )";
    std::vector<unsigned char> expected = {56, 0, 0, 0, 0, 0, 0, 0};
    expected.insert(expected.end(), header.begin(), header.end());
    const float values[2] = {1.0f, 2.0f};
    const auto* raw = reinterpret_cast<const unsigned char*>(values);
    expected.insert(expected.end(), raw, raw + 8);
    CHECK(file == expected);

    const std::vector<unsigned char> two = serialize_safetensors(sample());
    CHECK((two[0] | (two[1] << 8)) % 8 == 0);
    const std::string text(two.begin() + 8, two.end());
    // "a.f32" comes first in the data though it was added second
    CHECK(text.find(R"("a.f32":{"data_offsets":[0,16])") != std::string::npos);
    CHECK(text.find(R"("b.f64":{"data_offsets":[16,40])") != std::string::npos);
  }

  TEST_CASE("F32, F64, I32, I64, scalars, empty tensors and metadata survive a file round trip") {
    TempDir dir;
    const std::string path = dir.path("all.safetensors");
    const SafetensorsContent c = sample();
    write_safetensors(path, c);
    const SafetensorsContent back = read_safetensors(path);
    CHECK(back.metadata == c.metadata);
    REQUIRE(back.tensors.size() == c.tensors.size());
    for (const auto& [name, t] : c.tensors) {
      CAPTURE(name);
      const StoredTensor& r = back.tensors.at(name);
      CHECK(r.dtype == t.dtype);
      CHECK(r.shape == t.shape);
      CHECK(r.bytes == t.bytes);
    }
    CHECK(stored_values<double>(back.tensors.at("b.f64"), "b") ==
          std::vector<double>{0.1, -2.5, 1e300});
    CHECK(stored_values<int32_t>(back.tensors.at("c.i32"), "c") ==
          std::vector<int32_t>{-7, 0, 1 << 30});
    CHECK(stored_values<int64_t>(back.tensors.at("d.i64"), "d") ==
          std::vector<int64_t>{int64_t{1} << 40});
    CHECK(back.tensors.at("d.i64").shape.rank() == 0);
  }

  TEST_CASE("values convert between F32 and F64 and between I32 and I64, never across") {
    const SafetensorsContent c = sample();
    CHECK(stored_values<float>(c.tensors.at("b.f64"), "b")[0] == 0.1f);
    CHECK(stored_values<double>(c.tensors.at("a.f32"), "a")[3] == 7.0);
    CHECK(stored_values<int64_t>(c.tensors.at("c.i32"), "c")[2] == 1 << 30);
    CHECK_THROWS_WITH_AS(stored_values<int32_t>(c.tensors.at("d.i64"), "f: tensor 'd.i64'"),
                         "f: tensor 'd.i64': value 1099511627776 at index 0 does not fit in int32",
                         SafetensorsError);
    CHECK_THROWS_WITH_AS(stored_values<float>(c.tensors.at("c.i32"), "f: tensor 'c.i32'"),
                         "f: tensor 'c.i32': holds I32 values, floating-point values were expected",
                         SafetensorsError);
  }

  TEST_CASE("each kind of damage is an error naming the file and the tensor") {
    CHECK(error_of(bytes_of("abc")) ==
          "w.safetensors: truncated: 3 bytes, but a safetensors file starts with an 8-byte "
          "header length");
    std::vector<unsigned char> too_long = crafted("{}", 0);
    too_long[0] = 200;
    CHECK(error_of(too_long) ==
          "w.safetensors: header length 200 is larger than the rest of the file (2 bytes): the "
          "file is truncated or not a safetensors file");
    CHECK(error_of(crafted("{\"x\": ", 0))
              .starts_with("w.safetensors: the header is not valid JSON"));
    CHECK(error_of(crafted("[1, 2]", 0)) ==
          "w.safetensors: the header must be a JSON object, not array");
    const auto entry = [](std::string_view dtype, std::string_view shape,
                          std::string_view offsets) {
      return fmt::format(R"({{"t": {{"dtype": {}, "shape": {}, "data_offsets": {}}}}})", dtype,
                         shape, offsets);
    };
    CHECK(error_of(crafted(entry("\"F12\"", "[1]", "[0, 4]"), 4)) ==
          "w.safetensors: tensor 't': unknown dtype 'F12' (expected F32, F64, I32 or I64)");
    CHECK(error_of(crafted(entry("\"BF16\"", "[1]", "[0, 2]"), 2)) ==
          "w.safetensors: tensor 't': dtype BF16 is not supported (twinflow reads F32, F64, I32, "
          "I64)");
    CHECK(error_of(crafted(entry("\"F32\"", "[-1]", "[0, 4]"), 4)) ==
          "w.safetensors: tensor 't': shape [-1] must hold non-negative integers");
    CHECK(error_of(crafted(entry("\"F32\"", "[1, 1, 1, 1, 1, 1, 1, 1, 1]", "[0, 4]"), 4)) ==
          "w.safetensors: tensor 't': shape [1,1,1,1,1,1,1,1,1] has more than 8 dimensions");
    CHECK(error_of(crafted(entry("\"F32\"", "[1.5]", "[0, 4]"), 4)) ==
          "w.safetensors: tensor 't': shape [1.5] must hold non-negative integers");
    CHECK(error_of(crafted(entry("\"F32\"", "[2]", "[0, 8]"), 4)) ==
          "w.safetensors: tensor 't': data_offsets [0, 8] go past the end of the data (4 bytes): "
          "the file is truncated or the header is wrong");
    CHECK(error_of(crafted(entry("\"F32\"", "[2]", "[4, 0]"), 8)) ==
          "w.safetensors: tensor 't': data_offsets [4, 0] end before they begin");
    CHECK(error_of(crafted(entry("\"F64\"", "[2, 3]", "[0, 24]"), 24)) ==
          "w.safetensors: tensor 't': data_offsets [0, 24] hold 24 bytes, but shape [2, 3] of F64 "
          "needs 48");
    CHECK(error_of(crafted(entry("\"F32\"", "[1]", "[0]"), 4)) ==
          "w.safetensors: tensor 't': data_offsets [0] must be two non-negative integers [begin, "
          "end]");
    CHECK(error_of(crafted(
              R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                  "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
              12)) == "w.safetensors: tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]");
    CHECK(error_of(crafted(entry("\"F32\"", "[1]", "[4, 8]"), 8)) ==
          "w.safetensors: data bytes [0, 4) belong to no tensor (before tensor 't')");
    CHECK(error_of(crafted(entry("\"F32\"", "[1]", "[0, 4]"), 6)) ==
          "w.safetensors: data bytes [4, 6) after the last tensor belong to no tensor");
    CHECK(error_of(crafted(R"({"t": {"dtype": "F32", "shape": [1]}})", 4)) ==
          "w.safetensors: tensor 't': its entry has no 'data_offsets'");
    CHECK(error_of(crafted(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4],
                                     "offset": 0}})",
                           4)) ==
          "w.safetensors: tensor 't': unknown key 'offset' (an entry has dtype, shape, "
          "data_offsets)");
    CHECK(error_of(crafted(R"({"t": 5})", 0)) ==
          "w.safetensors: tensor 't': its entry must be an object, not number");
    CHECK(error_of(crafted(entry("\"F32\"", "[1]", "[0, 4]") + R"( )", 4)) == "(no error)");
    CHECK(error_of(crafted(R"({"t": {}, "t": {}})", 0)) ==
          "w.safetensors: the header names 't' twice");
    CHECK(error_of(crafted(R"({"__metadata__": {"epoch": 3}})", 0)) ==
          "w.safetensors: __metadata__ 'epoch' must be a string, not number");
  }

  // Found by fuzz_safetensors: the reader counted this shape's bytes in unsigned 64 bits and
  // found 0, the writer in signed 64 bits and overflowed before reaching the 0, so a file that
  // read did not write back.
  TEST_CASE("an empty tensor whose other dimensions multiply past 2^63 reads and writes back") {
    const std::vector<unsigned char> file = crafted(
        R"({"h": {"dtype": "F64", "shape": [429, 967296, 4294967296, 0], "data_offsets": [0, 0]}})",
        0);
    const SafetensorsContent c = parse_safetensors(file, "w.safetensors");
    CHECK(c.tensors.at("h").bytes.empty());
    CHECK(expected_bytes(c.tensors.at("h").shape, StoredDType::kF64) == 0);
    CHECK(parse_safetensors(serialize_safetensors(c), "again").tensors.at("h").shape ==
          Shape{429, 967296, 4294967296, 0});
    // Without the 0 the same dimensions are too many bytes to count: refused by both.
    CHECK(
        error_of(crafted(
            R"({"h": {"dtype": "F64", "shape": [429, 967296, 4294967296], "data_offsets": [0, 0]}})",
            0)) ==
        "w.safetensors: tensor 'h': shape [429, 967296, 4294967296] is impossibly large");
    SafetensorsContent too_large;
    too_large.tensors["h"] = StoredTensor{StoredDType::kF64, Shape{429, 967296, 4294967296}, {}};
    CHECK_THROWS_AS(serialize_safetensors(too_large), SafetensorsError);
  }

  TEST_CASE("no prefix of a file and no flipped byte crashes the reader") {
    const std::vector<unsigned char> file = serialize_safetensors(sample());
    REQUIRE(error_of(file) == "(no error)");
    for (size_t length = 0; length < file.size(); ++length) {
      CAPTURE(length);
      const std::vector<unsigned char> prefix(file.begin(), file.begin() + length);
      CHECK_THROWS_AS(parse_safetensors(prefix, "cut"), SafetensorsError);
    }
    int parsed = 0, rejected = 0;
    for (size_t at = 0; at < file.size(); ++at) {
      for (unsigned char mask : {0x01, 0x20, 0x80, 0xFF}) {
        std::vector<unsigned char> damaged = file;
        damaged[at] ^= mask;
        try {
          parse_safetensors(damaged, "flipped");
          ++parsed;  // a flip inside the data, or one the header still makes sense of
        } catch (const SafetensorsError&) {
          ++rejected;
        }  // any other exception escapes and fails the test
      }
    }
    CHECK(rejected > 0);
    CHECK(parsed > 0);
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 2000; ++trial) {
      std::vector<unsigned char> noise(8 + rng() % 64);
      for (unsigned char& b : noise) b = static_cast<unsigned char>(rng());
      noise[0] = static_cast<unsigned char>(rng() % (noise.size() - 7));  // a plausible length
      for (int i = 1; i < 8; ++i) noise[i] = 0;
      CHECK_THROWS_AS(parse_safetensors(noise, "noise"), SafetensorsError);
    }
  }

  TEST_CASE("what cannot be written is refused before the destination is touched") {
    TempDir dir;
    const std::string path = dir.write("keep.safetensors", "old content");
    SafetensorsContent bad;
    bad.tensors["t"] = StoredTensor{StoredDType::kF32, Shape{2}, {1, 2, 3}};
    CHECK_THROWS_WITH_AS(write_safetensors(path, bad),
                         (path + ": tensor 't': 3 bytes of data for shape [2] of F32").c_str(),
                         SafetensorsError);
    SafetensorsContent reserved;
    reserved.tensors["__metadata__"] = to_stored(std::span<const float>(), Shape{0});
    CHECK_THROWS_AS(write_safetensors(path, reserved), SafetensorsError);
    std::ifstream in(path);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "old content");
  }

  TEST_CASE("writing goes to a temporary file and a rename; a failure leaves nothing behind") {
    TempDir dir;
    const std::string path = dir.path("w.safetensors");
    write_safetensors(path, sample());
    write_safetensors(path, SafetensorsContent{});  // replaces the file
    CHECK(read_safetensors(path).tensors.empty());
    CHECK_THROWS_WITH_AS(write_safetensors(dir.path("no/such/dir/w.safetensors"), sample()),
                         doctest::Contains("no/such/dir/w.safetensors: cannot create a temporary "
                                           "file beside it: No such file or directory"),
                         FileError);
    // A destination that is a non-empty directory: the temporary file is written and synced,
    // then the rename fails; the directory must be untouched and the temporary file gone.
    // (A read-only directory would not do: tests may run as root, which writes anyway.)
    std::filesystem::create_directory(dir.path("occupied"));
    dir.write("occupied/inside", "x");
    CHECK_THROWS_WITH_AS(write_safetensors(dir.path("occupied"), sample()),
                         doctest::Contains("cannot replace it"), FileError);
    CHECK(std::filesystem::is_directory(dir.path("occupied")));
    CHECK(std::filesystem::exists(dir.path("occupied/inside")));
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.dir())) {
      CAPTURE(entry.path().string());
      CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);
      ++files;
    }
    CHECK(files == 2);  // w.safetensors and occupied/
  }

  TEST_CASE("reading names the file that cannot be read") {
    TempDir dir;
    CHECK_THROWS_WITH_AS(read_safetensors(dir.path("absent.safetensors")),
                         doctest::Contains("absent.safetensors: cannot open: No such file"),
                         FileError);
    CHECK_THROWS_WITH_AS(read_safetensors(dir.dir().string()),
                         doctest::Contains("not a regular file"), FileError);
    const std::string cut = dir.write("cut.safetensors", "\x10\0\0\0\0\0\0\0{}"s);
    CHECK_THROWS_WITH_AS(read_safetensors(cut),
                         doctest::Contains((cut + ": header length 16").c_str()), SafetensorsError);
  }
}

}  // namespace
}  // namespace twinflow::runtime
